import { beforeEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { createStripeWebhookHandler, MAX_WEBHOOK_BODY_BYTES } from '../../../lambdas/handlers/stripe-webhook';
import { logger } from '../../../lambdas/platform/logger';
import { SecretValue } from '../../../lambdas/platform/secrets';
import {
  LEGACY_API_VERSION,
  type SignOptions,
  signedRequest,
  stripeEvent,
  subscriptionObject,
  TEST_WEBHOOK_SECRET,
} from '../../fixtures/stripe/builders';
import { useLogCapture } from '../../support/logs';
import { memoryDeps, NOW, verifierWith } from '../../support/webhook-memory';

const nowSeconds = Math.floor(NOW.getTime() / 1000);
const sign = (body: Record<string, unknown> | string, options: SignOptions = {}) =>
  signedRequest(body, { timestamp: nowSeconds, ...options });

describe('POST /webhooks/stripe handler', () => {
  const logged = useLogCapture();
  let memory: ReturnType<typeof memoryDeps>;
  let handle: ReturnType<typeof createStripeWebhookHandler>;
  const created = () =>
    stripeEvent('customer.subscription.created', subscriptionObject(), { created: nowSeconds - 60 });

  beforeEach(() => {
    memory = memoryDeps();
    memory.profiles.add('sub-user-1', 'cus_base');
    handle = createStripeWebhookHandler(memory.deps);
  });

  const nothingWritten = () => {
    expect(memory.entitlements.items.size).toBe(0);
    expect(memory.ledger.ids.size).toBe(0);
    expect(memory.parked.items.size).toBe(0);
    expect(memory.audit.entries.size).toBe(0);
    expect(memory.groups.calls.add + memory.groups.calls.remove).toBe(0);
  };

  it('applies a signed event: entitlement, groups, audit and ledger', async () => {
    const response = await handle(sign(created()));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true, outcome: 'applied' });
    expect(memory.entitlements.items.get('sub-user-1')).toMatchObject({
      plan: 'starter',
      status: 'active',
      entitled: true,
      stripeCustomerId: 'cus_base',
      subscriptionIds: ['sub_base'],
      cognitoGroups: ['starter'],
      email: 'sub-user-1@example.com',
    });
    expect(memory.groups.groupsOf('user-sub-user-1')).toEqual(['starter']);
    expect(memory.audit.forUser('sub-user-1')[0]).toMatchObject({
      oldPlan: 'none',
      newPlan: 'starter',
      groupsAdded: ['starter'],
    });
    expect(memory.ledger.ids.size).toBe(1);
  });

  it('accepts a base64-encoded body (API Gateway binary mode)', async () => {
    const response = await handle(sign(created(), { base64: true }));
    expect(response.statusCode).toBe(200);
    expect(memory.entitlements.items.get('sub-user-1')?.plan).toBe('starter');
  });

  it.each([
    ['a bad signature (wrong secret)', { secret: 'whsec_someone_else' }, 'invalid_signature'],
    ['a stale timestamp (301 s)', { timestamp: nowSeconds - 301 }, 'invalid_signature'],
    ['a tampered body', { signedPayload: '{"id":"evt_other"}' }, 'invalid_signature'],
    ['a missing header', { omitHeader: true }, 'missing_signature'],
  ] as const)('answers 400 with no write for %s', async (_name, options, code) => {
    const response = await handle(sign(created(), options));
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('\n');
    expect(JSON.parse(response.body).error.code).toBe(code);
    nothingWritten();
  });

  it('says which: a stale timestamp is named as such', async () => {
    const response = await handle(sign(created(), { timestamp: nowSeconds - 301 }));
    expect(JSON.parse(response.body).error.message).toMatch(/tolerance/);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const response = await handle(sign('this is not json'));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe('invalid_json');
    nothingWritten();
  });

  it('answers 400 for signed JSON that is not a Stripe event', async () => {
    const response = await handle(sign({ hello: 'world' }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe('invalid_event');
    nothingWritten();
  });

  it('answers 200 and parks a handled type whose object does not fit (Stripe would retry a 4xx, then lose it)', async () => {
    const response = await handle(
      sign(stripeEvent('customer.subscription.updated', { id: 'sub_x', status: 'active' }, { id: 'evt_unfit' })),
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true, outcome: 'parked-unfit' });
    expect(memory.parked.items.get('evt_unfit')).toMatchObject({
      reason: 'unfit',
      detail: expect.stringContaining('customer'),
    });
    expect(memory.entitlements.items.size).toBe(0);
    expect(logged.errors()).toEqual(['Stripe event parked: it does not fit the schema']);
  });

  it('writes one "Stripe event answered" line per signed event, with its type (the events-by-type metric)', async () => {
    const answered = () =>
      logged.lines
        .filter((line) => line.message === 'Stripe event answered')
        .map(({ eventType, result }) => ({ eventType, result }));
    const event = created();
    logger.setLogLevel('INFO'); // the suite logs at WARN
    try {
      await handle(sign(event));
      await handle(sign(event));
      await handle(sign(stripeEvent('payment_intent.created', { id: 'pi_1', object: 'payment_intent' })));
      await handle(sign(created(), { secret: 'whsec_wrong' }));
    } finally {
      logger.setLogLevel('WARN');
    }
    expect(answered()).toEqual([
      { eventType: 'customer.subscription.created', result: 'processed' },
      { eventType: 'customer.subscription.created', result: 'duplicate' },
      { eventType: 'payment_intent.created', result: 'ignored' },
    ]);
  });

  it('answers 413 for an oversized body, before anything else', async () => {
    const body = JSON.stringify({ ...created(), padding: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) });
    const response = await handle(sign(body, { omitHeader: true }));
    expect(response.statusCode).toBe(413);
    nothingWritten();
  });

  it('answers 200 ignored for a type it does not handle, with no write', async () => {
    const response = await handle(
      sign(stripeEvent('payment_intent.created', { id: 'pi_1', object: 'payment_intent' })),
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true, ignored: true });
    nothingWritten();
  });

  const sideEffects = () => ({
    writes: memory.entitlements.calls.write,
    setGroups: memory.entitlements.calls.setGroups,
    cognito: memory.groups.calls.add + memory.groups.calls.remove,
    audit: memory.audit.entries.size,
    parked: memory.parked.items.size,
    stripe: memory.stripe.total(),
    record: structuredClone(memory.entitlements.items.get('sub-user-1')),
  });

  it('answers a duplicate 200 with no side effect: one entitlement read, no write, no call', async () => {
    const event = created();
    await handle(sign(event));
    const before = sideEffects();
    const reads = memory.entitlements.calls.get;

    const response = await handle(sign(event));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true, duplicate: true });
    expect(sideEffects()).toEqual(before);
    // No ledger read up front: the ordering guard's read shows the event applied, the ledger put says duplicate.
    expect(memory.entitlements.calls.get).toBe(reads + 1);
    expect(memory.ledger.ids.size).toBe(1);
  });

  it('answers a duplicate of an older event, redelivered after a newer one, with no side effect', async () => {
    const first = created();
    const newer = stripeEvent('customer.subscription.updated', subscriptionObject({ lookupKey: 'pro_monthly' }), {
      created: nowSeconds - 30,
    });
    await handle(sign(first));
    await handle(sign(newer));
    const before = sideEffects();

    const response = await handle(sign(first));

    expect(JSON.parse(response.body)).toEqual({ received: true, duplicate: true });
    expect(sideEffects()).toEqual(before);
    expect(before.record).toMatchObject({ plan: 'pro', cognitoGroups: ['pro'] });
  });

  it('consults the ledger before a Stripe read: a redelivered same-second event is a duplicate, no re-read', async () => {
    const at = nowSeconds - 60;
    const starter = stripeEvent('customer.subscription.updated', subscriptionObject(), { created: at });
    const pro = stripeEvent('customer.subscription.updated', subscriptionObject({ lookupKey: 'pro_monthly' }), {
      created: at,
    });
    memory.stripe.subscriptions.set('cus_base', [subscriptionObject({ lookupKey: 'pro_monthly' })]);
    await handle(sign(starter));
    await handle(sign(pro)); // a tie: one Stripe re-read
    expect(memory.stripe.calls.list).toBe(1);
    const before = sideEffects();

    // The stored event of this subscription is now `pro`: `starter` again is a tie, which would re-read Stripe.
    const response = await handle(sign(starter));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true, duplicate: true });
    expect(sideEffects()).toEqual(before);
  });

  it('applies a redelivery whose first delivery failed at the ledger write, without repeating any effect', async () => {
    const event = created();
    const ledger = memory.ledger;
    let ledgerDown = true;
    handle = createStripeWebhookHandler({
      ...memory.deps,
      ledger: {
        has: (id) => ledger.has(id),
        record: async (entry) => {
          if (ledgerDown) throw new DependencyUnavailableError('dynamodb', 'webhook ledger write failed (test)');
          return ledger.record(entry);
        },
      },
    });

    const failed = await handle(sign(event));
    expect(failed.statusCode).toBe(500);
    expect(ledger.ids.size).toBe(0);
    const applied = sideEffects();
    expect(applied).toMatchObject({ writes: 1, setGroups: 1, cognito: 1, audit: 1 });

    ledgerDown = false;
    const retried = await handle(sign(event));

    expect(retried.statusCode).toBe(200);
    expect(JSON.parse(retried.body)).toEqual({ received: true, outcome: 'applied' });
    expect(sideEffects()).toEqual(applied);
    expect(ledger.ids.has(event.id as string)).toBe(true);

    const again = await handle(sign(event));
    expect(JSON.parse(again.body)).toEqual({ received: true, duplicate: true });
    expect(sideEffects()).toEqual(applied);
  });

  it('applies the pre-2025-03-31 shape (period on the subscription, plan from the product id the catalog lists)', async () => {
    const input = PlanCatalog.defaults().toJSON();
    for (const plan of input.plans) if (plan.id === 'pro') Object.assign(plan, { productIds: ['prod_pro'] });
    memory = memoryDeps({ catalog: PlanCatalog.parse(input) });
    memory.profiles.add('sub-user-1', 'cus_base');
    handle = createStripeWebhookHandler(memory.deps);
    const legacy = subscriptionObject({ legacy: true, lookupKey: null, periodEnd: nowSeconds + 86400 });
    const response = await handle(
      sign(
        stripeEvent('customer.subscription.updated', legacy, { created: nowSeconds, apiVersion: LEGACY_API_VERSION }),
      ),
    );
    expect(response.statusCode).toBe(200);
    expect(memory.entitlements.items.get('sub-user-1')).toMatchObject({
      plan: 'pro',
      currentPeriodEnd: new Date((nowSeconds + 86400) * 1000).toISOString(),
    });
  });

  it('answers 500 when Cognito fails, records no ledger entry, and the retry converges', async () => {
    memory.groups.failNext = 1;
    const event = created();

    const failed = await handle(sign(event));
    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(failed.body).error.code).toBe('dependency_unavailable');
    expect(memory.ledger.ids.size).toBe(0);

    const retried = await handle(sign(event));
    expect(retried.statusCode).toBe(200);
    expect(memory.groups.groupsOf('user-sub-user-1')).toEqual(['starter']);
    expect(memory.entitlements.items.get('sub-user-1')?.cognitoGroups).toEqual(['starter']);
  });

  it('re-reads the signing secret once on a mismatch: a delivery signed after a rotation is applied', async () => {
    const reads: string[] = [];
    handle = createStripeWebhookHandler({
      ...memory.deps,
      verifier: verifierWith({
        get: async () => {
          reads.push('cached');
          return 'whsec_before_rotation';
        },
        refresh: async () => {
          reads.push('fresh');
          return TEST_WEBHOOK_SECRET;
        },
      }),
    });

    const response = await handle(sign(created()));

    expect(response.statusCode).toBe(200);
    expect(reads).toEqual(['cached', 'fresh']);
  });

  it('answers 400 after one re-read when the signature matches neither secret', async () => {
    const reads: string[] = [];
    handle = createStripeWebhookHandler({
      ...memory.deps,
      verifier: verifierWith({
        get: async () => {
          reads.push('cached');
          return TEST_WEBHOOK_SECRET;
        },
        refresh: async () => {
          reads.push('fresh');
          return TEST_WEBHOOK_SECRET;
        },
      }),
    });

    const response = await handle(sign(created(), { secret: 'whsec_someone_else' }));

    expect(response.statusCode).toBe(400);
    expect(reads).toEqual(['cached', 'fresh']);
    nothingWritten();
  });

  it('answers 503 naming the secret while it still holds the deploy placeholder (Stripe retries)', async () => {
    handle = createStripeWebhookHandler({
      ...memory.deps,
      verifier: verifierWith(new SecretValue('stripeWebhookSecret', { arn: 'arn:x' }, async () => 'Zx81-placeholder')),
    });

    const response = await handle(sign(created()));

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).error.message).toMatch(
      /Stripe webhook signing secret is not set.*STRIPE_WEBHOOK_SECRET_ARN/,
    );
    expect(logged.errors()).toContain('Stripe webhook signing secret is not set; Stripe will retry');
    nothingWritten();
  });

  it('answers 500 when the signing secret cannot be read', async () => {
    handle = createStripeWebhookHandler({
      ...memory.deps,
      verifier: verifierWith({
        get: async () => {
          throw new Error('secrets manager down');
        },
        refresh: async () => {
          throw new Error('secrets manager down');
        },
      }),
    });
    expect((await handle(sign(created()))).statusCode).toBe(500);
    nothingWritten();
  });
});
