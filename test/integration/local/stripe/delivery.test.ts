import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REALISM } from '../../../../local/stripe/webhooks';
import { startWebhookReceiver } from '../webhook-receiver';
import { checkoutSession, useEmulator } from './support';

/**
 * Delivery realism, switchable per test (https://docs.stripe.com/webhooks): Stripe "doesn't guarantee delivery of
 * events in the order in which they're generated", may deliver an event more than once, retries failed deliveries
 * with backoff, and disables an endpoint that keeps failing (no new events, no further retries).
 */
const emulatorOf = useEmulator();
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
let receiver: Receiver | undefined;

afterEach(async () => {
  const emulator = emulatorOf();
  await emulator.drainWebhooks();
  emulator.setWebhookUrl(undefined);
  emulator.setDeliveryRealism(DEFAULT_REALISM);
  emulator.enableWebhookEndpoint();
  await receiver?.close();
});

async function receive(respond?: (n: number) => number): Promise<Receiver> {
  receiver = await startWebhookReceiver(respond);
  emulatorOf().setWebhookUrl(receiver.url);
  return receiver;
}

async function checkoutEvents() {
  const emulator = emulatorOf();
  const stripe = emulator.client();
  const since = emulator.events().length;
  const customer = await stripe.customers.create({
    email: `d-${Math.random()}@example.com`,
    metadata: { cognito_sub: 'd' },
  });
  emulator.completeCheckout((await checkoutSession(stripe, customer)).id);
  await emulator.drainWebhooks();
  return emulator
    .events()
    .slice(since)
    .map((e) => e.id);
}

describe('Webhook delivery realism', () => {
  it('default: one ordered queue per customer, each event once', async () => {
    // Prepare
    const r = await receive();

    // Act
    const created = await checkoutEvents();

    // Assess
    expect(r.received.map((d) => (JSON.parse(d.body) as { id: string }).id)).toEqual(created);
  });

  it('shuffle: a window of events arrives in a seeded random order, every event still delivered', async () => {
    // Prepare
    const r = await receive();
    emulatorOf().setDeliveryRealism({ order: 'shuffle', windowMs: 20, seed: 7 });

    // Act
    const created = await checkoutEvents();

    // Assess
    const arrived = r.received.map((d) => (JSON.parse(d.body) as { id: string }).id);
    expect([...arrived].sort()).toEqual([...created].sort());
    expect(arrived).not.toEqual(created);
    const sequence = emulatorOf()
      .deliveries()
      .filter((d) => created.includes(d.eventId))
      .sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
    expect(sequence.map((d) => d.eventId)).toEqual(arrived);
  });

  it('duplicates: with duplicateRate 1 every event arrives twice, the copy flagged in the deliveries API', async () => {
    // Prepare
    const r = await receive();
    emulatorOf().setDeliveryRealism({ duplicateRate: 1 });

    // Act
    const created = await checkoutEvents();

    // Assess
    const arrived = r.received.map((d) => (JSON.parse(d.body) as { id: string }).id);
    expect(arrived).toHaveLength(created.length * 2);
    expect(new Set(arrived)).toEqual(new Set(created));
    const copies = emulatorOf()
      .deliveries()
      .filter((d) => created.includes(d.eventId) && d.duplicate);
    expect(copies).toHaveLength(created.length);
  });

  it('an endpoint failing persistently is disabled: later events are not sent, the deliveries API reports it; enabling resumes', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const r = await receive(() => 500);
    emulator.setDeliveryRealism({ disableAfterFailures: 2 });

    // Act
    await stripe.customers.create({ email: 'fail-1@example.com' });
    await stripe.customers.create({ email: 'fail-2@example.com' });
    await emulator.drainWebhooks();
    const skipped = await stripe.customers.create({ email: 'after-disable@example.com' });
    await emulator.drainWebhooks();
    const report = (await (
      await fetch(`${emulator.apiBase}/_emulator/deliveries`, {
        headers: { authorization: `Bearer ${emulator.secretKey}` },
      })
    ).json()) as {
      endpoint: { status: string; consecutiveFailures: number };
      data: { customer?: string; status: string; lastError?: string }[];
    };
    const enabled = await fetch(`${emulator.apiBase}/_emulator/webhook-endpoint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });

    // Assess
    expect(r.calls()).toBe(8); // 2 events x (first attempt + 3 retries)
    expect(report.endpoint).toMatchObject({ status: 'disabled', consecutiveFailures: 2 });
    expect(report.data.find((d) => d.customer === skipped.id)).toMatchObject({
      status: 'skipped',
      lastError: 'endpoint disabled',
    });
    expect(((await enabled.json()) as { endpoint: { status: string } }).endpoint.status).toBe('enabled');
  });

  it('the control API switches realism per test', async () => {
    // Prepare
    const emulator = emulatorOf();

    // Act
    const response = await fetch(`${emulator.apiBase}/_emulator/delivery`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ order: 'shuffle', duplicateRate: 0.5, seed: 3 }),
    });
    const bad = await fetch(`${emulator.apiBase}/_emulator/delivery`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ duplicateRate: 2 }),
    });

    // Assess
    expect(await response.json()).toMatchObject({ order: 'shuffle', duplicateRate: 0.5, seed: 3 });
    expect(bad.status).toBe(400);
  });
});
