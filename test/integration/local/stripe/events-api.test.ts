import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '../webhook-receiver';
import { customerWithCard, priceOf, useEmulator } from './support';

/**
 * The Events API as Stripe serves it (https://docs.stripe.com/api/events/list, /retrieve): newest first, `type`
 * (with `*` groups), `types[]`, `created` ranges, `delivery_success`, pagination, 30 days of history.
 */
const emulatorOf = useEmulator();

async function all(stripe: Stripe, params: Stripe.EventListParams): Promise<Stripe.Event[]> {
  const out: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 3, ...params })) out.push(event);
  return out;
}

describe('Events API', () => {
  it('filters by type, type groups, types[] and created, pages newest first, and retrieves by id', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const start = emulator.now();
    const customer = await customerWithCard(stripe);
    await stripe.subscriptions.create({ customer: customer.id, items: [{ price: (await priceOf(stripe)).id }] });
    const ids = emulator
      .events()
      .filter((e) => e.created >= start)
      .map((e) => e.id);

    // Act
    const byType = await all(stripe, { type: 'customer.subscription.created', created: { gte: start } });
    const group = await all(stripe, { type: 'invoice.*', created: { gte: start } });
    const listed = await all(stripe, { types: ['charge.succeeded', 'customer.created'], created: { gte: start } });
    const everything = await all(stripe, { created: { gte: start } });
    const one = await stripe.events.retrieve(byType[0]?.id ?? '');
    const both = await stripe.events.list({ type: 'invoice.paid', types: ['invoice.paid'] }).catch((e: unknown) => e);

    // Assess
    expect(byType.map((e) => e.type)).toEqual(['customer.subscription.created']);
    expect(new Set(group.map((e) => e.type))).toEqual(
      new Set(['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']),
    );
    expect(listed.map((e) => e.type).sort()).toEqual(['charge.succeeded', 'customer.created']);
    expect(everything.map((e) => e.id)).toEqual([...ids].reverse());
    expect(one).toMatchObject({ id: byType[0]?.id, object: 'event', data: { object: { customer: customer.id } } });
    expect(both).toMatchObject({ statusCode: 400, param: 'types' });
  });

  it('serves 30 days: older events are neither listed nor retrievable', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await stripe.customers.create({ email: 'old@example.com' });
    const created = emulator
      .events()
      .find((e) => e.type === 'customer.created' && (e.data.object as { id: string }).id === customer.id);

    // Act
    emulator.advance(30 * 86400 + 1);
    const listed = await stripe.events.list({ type: 'customer.created', limit: 100 });
    const retrieved = await stripe.events.retrieve(created?.id ?? '').catch((e: unknown) => e);

    // Assess
    expect(listed.data.map((e) => e.id)).not.toContain(created?.id);
    expect(retrieved).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('delivery_success tells delivered events from failed ones', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const receiver = await startWebhookReceiver((n) => (n === 1 ? 200 : 500));
    emulator.setWebhookUrl(receiver.url);
    const start = emulator.now();

    // Act
    await stripe.customers.create({ email: 'delivered@example.com' });
    await stripe.customers.create({ email: 'failed@example.com' });
    await emulator.drainWebhooks();
    const ok = await stripe.events.list({ delivery_success: true, created: { gte: start } });
    const failed = await stripe.events.list({ delivery_success: false, created: { gte: start } });
    emulator.setWebhookUrl(undefined);
    await receiver.close();

    // Assess
    expect(ok.data.map((e) => (e.data.object as { email: string }).email)).toEqual(['delivered@example.com']);
    expect(failed.data.map((e) => (e.data.object as { email: string }).email)).toEqual(['failed@example.com']);
  });
});
