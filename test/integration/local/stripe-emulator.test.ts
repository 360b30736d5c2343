import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from '../../../local/stripe/emulator';
import { startWebhookReceiver } from './webhook-receiver';

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

let emulator: StripeEmulator;
let receiver: Receiver;
let stripe: Stripe;
const verifier = new Stripe('sk_test_verify_only');

beforeAll(async () => {
  emulator = await startStripeEmulator({ webhookBackoffMs: () => 1 });
  stripe = emulator.client();
  emulator.saveDefaultPortalConfiguration();
});
afterAll(async () => {
  await emulator.stop();
});
afterEach(async () => {
  await emulator.drainWebhooks();
  emulator.setWebhookUrl(undefined);
  await receiver?.close();
});

async function receive(respond?: (n: number) => number): Promise<Receiver> {
  receiver = await startWebhookReceiver(respond);
  emulator.setWebhookUrl(receiver.url);
  return receiver;
}

function eventsOf(r: Receiver, customer: string): Stripe.Event[] {
  return r.received
    .map((d) => JSON.parse(d.body) as Stripe.Event)
    .filter(
      (e) =>
        (e.data.object as { customer?: string; id?: string }).customer === customer ||
        (e.data.object as { id: string }).id === customer,
    );
}

async function proPrice(): Promise<Stripe.Price> {
  const prices = await stripe.prices.list({ lookup_keys: ['pro_monthly'] });
  const price = prices.data[0];
  if (!price) throw new Error('pro_monthly not seeded');
  return price;
}

async function subscribedCustomer(options: { trialDays?: number } = {}) {
  const customer = await stripe.customers.create({
    email: `c-${Date.now()}-${Math.random()}@example.com`,
    metadata: { cognito_sub: 'sub-1' },
  });
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    line_items: [{ price: (await proPrice()).id, quantity: 1 }],
    client_reference_id: 'sub-1',
    subscription_data: {
      metadata: { cognito_sub: 'sub-1' },
      ...(options.trialDays ? { trial_period_days: options.trialDays } : {}),
    },
    success_url: 'http://localhost:5173/done',
  });
  const paid = await fetch(session.url ?? '');
  expect(paid.status).toBe(200);
  const retrieved = await stripe.checkout.sessions.retrieve(session.id);
  const subscription = await stripe.subscriptions.retrieve(String(retrieved.subscription));
  return { customer, session: retrieved, subscription };
}

describe('Stripe emulator: webhooks', () => {
  it('signs every event so stripe.webhooks.constructEvent verifies it, with api_version and emulator time', async () => {
    // Prepare
    const r = await receive();

    // Act
    const { customer } = await subscribedCustomer();
    await emulator.drainWebhooks();

    // Assess
    const mine = r.received.filter((d) => d.body.includes(customer.id));
    expect(mine.length).toBeGreaterThanOrEqual(4);
    for (const delivery of mine) {
      const event = verifier.webhooks.constructEvent(delivery.body, delivery.signature ?? '', emulator.webhookSecret);
      expect(event.api_version).toBe(Stripe.API_VERSION);
      expect(event.created).toBeLessThanOrEqual(emulator.now());
      expect(event.id).toMatch(/^evt_/);
    }
    const delivered = eventsOf(r, customer.id).map((e) => e.type);
    expect(delivered[0]).toBe('customer.created');
    expect(delivered).toEqual(
      expect.arrayContaining([
        'customer.subscription.created',
        'customer.subscription.updated',
        'invoice.paid',
        'invoice.payment_succeeded',
        'charge.succeeded',
        'checkout.session.completed',
      ]),
    );
    expect(() =>
      verifier.webhooks.constructEvent(mine[0]?.body ?? '', mine[0]?.signature ?? '', 'whsec_wrong'),
    ).toThrow();
  });

  it('retries a delivery answered with 5xx until it is accepted, keeping the customer order', async () => {
    // Prepare: the first two attempts fail
    const r = await receive((n) => (n <= 2 ? 500 : 200));

    // Act
    const customer = await stripe.customers.create({ email: 'retry@example.com' });
    await stripe.customers.update(customer.id, { name: 'Retried' });
    await emulator.drainWebhooks();

    // Assess
    expect(eventsOf(r, customer.id).map((e) => e.type)).toEqual(['customer.created', 'customer.updated']);
    const delivery = emulator.deliveries().find((d) => d.customer === customer.id && d.type === 'customer.created');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('gives up after the first attempt and 3 retries (a sandbox retries three times)', async () => {
    // Prepare
    await receive(() => 500);

    // Act
    const customer = await stripe.customers.create({ email: 'never@example.com' });
    await emulator.drainWebhooks();

    // Assess
    expect(emulator.deliveries().find((d) => d.customer === customer.id)).toMatchObject({
      status: 'failed',
      attempts: 4,
      lastStatusCode: 500,
    });
  });
});

describe('Stripe emulator: API contract', () => {
  it('rejects unknown parameters like Stripe, naming them, and creates nothing', async () => {
    // Prepare
    const before = emulator.events().length;

    // Act
    const topLevel = await stripe.customers
      .create({ emial: 'typo@example.com' } as Stripe.CustomerCreateParams)
      .catch((e: unknown) => e);
    const nested = await stripe.checkout.sessions
      .create({
        mode: 'subscription',
        line_items: [{ price: (await proPrice()).id, quantiy: 1 }],
      } as unknown as Stripe.Checkout.SessionCreateParams)
      .catch((e: unknown) => e);

    // Assess
    expect(topLevel).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      code: 'parameter_unknown',
      param: 'emial',
    });
    expect(nested).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'line_items[0][quantiy]' });
    expect(emulator.events().length).toBe(before);
  });

  it('answers 401 for a wrong API key and 404 resource_missing for an unknown id', async () => {
    // Act
    const wrongKey = await new Stripe('sk_test_wrong', {
      host: '127.0.0.1',
      port: emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    }).customers
      .list()
      .catch((e: unknown) => e);
    const missing = await stripe.customers.retrieve('cus_missing').catch((e: unknown) => e);

    // Assess
    expect(wrongKey).toMatchObject({ statusCode: 401, type: 'StripeAuthenticationError' });
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('honours Idempotency-Key: same key and body -> same object once; other body -> idempotency_error', async () => {
    // Prepare
    const params = { email: 'idem@example.com', metadata: { cognito_sub: 'idem-sub' } };
    const key = `customer-for-idem-${Date.now()}`;

    // Act
    const first = await stripe.customers.create(params, { idempotencyKey: key });
    const second = await stripe.customers.create(params, { idempotencyKey: key });
    const conflict = await stripe.customers
      .create({ ...params, name: 'other' }, { idempotencyKey: key })
      .catch((e: unknown) => e);

    // Assess
    expect(second.id).toBe(first.id);
    expect((await stripe.customers.list({ email: 'idem@example.com' })).data).toHaveLength(1);
    expect(conflict).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
  });

  it('lists customers by exact email and prices by lookup key, expanding the product', async () => {
    // Prepare
    const email = `list-${Date.now()}@example.com`;
    const created = await stripe.customers.create({ email, metadata: { cognito_sub: 'list-sub' } });
    await stripe.customers.create({ email: `other-${email}` });

    // Act
    const customers = await stripe.customers.list({ email });
    const prices = await stripe.prices.list({
      lookup_keys: ['pro_monthly', 'starter_yearly'],
      expand: ['data.product'],
    });

    // Assess
    expect(customers.data.map((c) => c.id)).toEqual([created.id]);
    expect(customers.data[0]?.metadata).toEqual({ cognito_sub: 'list-sub' });
    expect(prices.data.map((p) => p.lookup_key).sort()).toEqual(['pro_monthly', 'starter_yearly']);
    expect(prices.data.every((p) => typeof p.product === 'object' && (p.product as Stripe.Product).metadata.plan)).toBe(
      true,
    );
  });

  it('completes checkout into a subscription in the current API shape, listed by customer and status', async () => {
    // Act
    const { customer, session, subscription } = await subscribedCustomer();
    const open = await stripe.subscriptions.list({ customer: customer.id });
    await stripe.subscriptions.cancel(subscription.id);
    const afterCancel = await stripe.subscriptions.list({ customer: customer.id });
    const all = await stripe.subscriptions.list({ customer: customer.id, status: 'all' });
    const invoice = await stripe.invoices.retrieve(String(subscription.latest_invoice));

    // Assess
    expect(session).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      customer: customer.id,
      client_reference_id: 'sub-1',
    });
    expect(subscription).toMatchObject({ status: 'active', customer: customer.id, metadata: { cognito_sub: 'sub-1' } });
    const item = subscription.items.data[0];
    expect(item?.price.lookup_key).toBe('pro_monthly');
    expect(item?.current_period_end).toBeGreaterThan(item?.current_period_start ?? Number.POSITIVE_INFINITY);
    expect(open.data.map((s) => s.id)).toEqual([subscription.id]);
    expect(afterCancel.data).toEqual([]);
    expect(all.data.map((s) => [s.id, s.status])).toEqual([[subscription.id, 'canceled']]);
    expect(invoice.parent?.subscription_details?.subscription).toBe(subscription.id);
  });

  it('changes the price through items and creates billing portal sessions', async () => {
    // Prepare
    const { customer, subscription } = await subscribedCustomer();
    const [business] = (await stripe.prices.list({ lookup_keys: ['business_monthly'] })).data;

    // Act
    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]?.id, price: business?.id }],
      proration_behavior: 'create_prorations',
    });
    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://localhost:5173/account',
    });

    // Assess
    expect(updated.items.data.map((i) => i.price.lookup_key)).toEqual(['business_monthly']);
    expect(portal.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_emulator\/portal\/bps_/);
    expect((await fetch(portal.url)).status).toBe(200);
  });
});

describe('Stripe emulator: clock (renewals, trials and dunning: see stripe/*.fidelity.test.ts)', () => {
  it('cancels at period end: status canceled and customer.subscription.deleted, via the HTTP control API', async () => {
    // Prepare
    const r = await receive();
    const { customer, subscription } = await subscribedCustomer();
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    const end = subscription.items.data[0]?.current_period_end ?? 0;

    // Act
    const response = await fetch(`${emulator.apiBase}/_emulator/advance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: end - emulator.now() + 1 }),
    });
    await emulator.drainWebhooks();

    // Assess
    expect(response.status).toBe(200);
    const canceled = await stripe.subscriptions.retrieve(subscription.id);
    expect(canceled).toMatchObject({ status: 'canceled', ended_at: end });
    const last = eventsOf(r, customer.id).at(-1);
    expect(last?.type).toBe('customer.subscription.deleted');
    expect(last?.created).toBe(end);
  });

  it('refuses the control API without the secret key', async () => {
    // Act
    const response = await fetch(`${emulator.apiBase}/_emulator/advance`, { method: 'POST', body: '{"seconds":1}' });

    // Assess
    expect(response.status).toBe(401);
  });
});

describe('Stripe emulator: deleted customers', () => {
  it('deletes a customer: its subscriptions end, it retrieves as a deleted stub and leaves the email list', async () => {
    // Prepare
    const r = await receive();
    const { customer, subscription } = await subscribedCustomer();

    // Act
    const deleted = await stripe.customers.del(customer.id);
    const retrieved = await stripe.customers.retrieve(customer.id);
    await emulator.drainWebhooks();

    // Assess
    expect(deleted).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect(retrieved).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
    expect((await stripe.customers.list({ email: customer.email ?? '' })).data).toEqual([]);
    expect(
      eventsOf(r, customer.id)
        .slice(-2)
        .map((e) => e.type),
    ).toEqual(['customer.subscription.deleted', 'customer.deleted']);
  });
});

describe('Stripe emulator: persistence', () => {
  it('keeps customers, subscriptions and the advanced clock across a restart on the same state file', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'stripe-state-'));
    const stateFile = join(dir, 'stripe.json');
    const first = await startStripeEmulator({ stateFile, secretKey: 'sk_test_local_persist' });
    const customer = await first
      .client()
      .customers.create({ email: 'kept@example.com', metadata: { cognito_sub: 'kept' } });
    first.advance(86400);
    const clockBefore = first.now();
    await first.stop();

    // Act
    const second = await startStripeEmulator({ stateFile, secretKey: 'sk_test_local_persist' });
    const retrieved = await second.client().customers.retrieve(customer.id);
    const clockAfter = second.now();
    await second.stop();
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(retrieved).toMatchObject({ id: customer.id, metadata: { cognito_sub: 'kept' } });
    expect(clockAfter).toBeGreaterThanOrEqual(clockBefore);
  });
});
