import { beforeEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { createCheckoutSessionHandler } from '../../../lambdas/handlers/checkout-session';
import { redirectEnvSchema } from '../../../lambdas/platform/redirects';
import { checkoutIdempotencyKey } from '../../../lambdas/use-cases/billing/create-checkout-session';
import {
  baseProfile,
  baseRecord,
  bodyOf,
  catalog,
  fixedClock,
  jwtEvent,
  MemoryBilling,
  proRecord,
  SUB,
} from '../../support/api-doubles';
import { MemoryAccountTombstoneStore } from '../../support/fakes/account-tombstone-store';
import { MemoryCustomerGateway } from '../../support/fakes/customer-gateway';
import { MemoryEntitlementStore } from '../../support/fakes/entitlement-store';
import { MemoryGroupGateway } from '../../support/fakes/group-gateway';
import { MemoryProfileStore } from '../../support/fakes/profile-store';
import { activeSubscription, memoryHealer } from '../../support/heal-doubles';

const redirects = redirectEnvSchema.parse({ ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:5173' });
const post = (body: unknown) =>
  jwtEvent({
    method: 'POST',
    path: '/checkout/sessions',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /checkout/sessions', () => {
  let profiles: MemoryProfileStore;
  let entitlements: MemoryEntitlementStore;
  let customers: MemoryCustomerGateway;
  let billing: MemoryBilling;
  let clock: ReturnType<typeof fixedClock>;
  let healer: ReturnType<typeof memoryHealer>;
  let handle: ReturnType<typeof createCheckoutSessionHandler>;

  beforeEach(() => {
    profiles = new MemoryProfileStore();
    entitlements = new MemoryEntitlementStore();
    customers = new MemoryCustomerGateway();
    billing = new MemoryBilling();
    clock = fixedClock();
    profiles.items.set(SUB, structuredClone(baseProfile));
    entitlements.items.set(SUB, baseRecord());
    healer = memoryHealer({ profiles, entitlements, groups: new MemoryGroupGateway(), customers, catalog, clock });
    healer.source.addUser(SUB, 'alice@example.com');
    handle = createCheckoutSessionHandler({
      profiles,
      entitlements,
      billing,
      catalog,
      clock,
      redirects,
      heal: healer.heal,
    });
  });

  it('creates a subscription session for the caller with the catalog price and the default redirects', async () => {
    // Act
    const result = await handle(post({ plan: 'pro', interval: 'year' }));
    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({ id: 'cs_test_1', url: 'https://checkout.stripe.com/c/pay/cs_test_1' });
    expect(billing.checkouts).toEqual([
      expect.objectContaining({
        customerId: 'cus_1',
        priceId: 'price_pro_y',
        sub: SUB,
        plan: 'pro',
        interval: 'year',
        successUrl: 'https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}',
        cancelUrl: 'https://app.example.com/billing/cancel',
        trialDays: 14,
      }),
    ]);
  });

  it('creates the customer once and stores it on the profile; the next checkout reuses it', async () => {
    // Act
    await handle(post({ plan: 'pro', interval: 'month' }));
    await handle(post({ plan: 'starter', interval: 'month' }));
    // Assess
    expect(customers.creates).toBe(1);
    expect(profiles.items.get(SUB)?.stripeCustomerId).toBe('cus_1');
    expect(billing.checkouts.map((c) => c.customerId)).toEqual(['cus_1', 'cus_1']);
  });

  it('ends with one customer when two checkouts race', async () => {
    // Act
    const results = await Promise.all([
      handle(post({ plan: 'pro', interval: 'month' })),
      handle(post({ plan: 'pro', interval: 'month' })),
    ]);
    // Assess
    expect(results.map((r) => r.statusCode)).toEqual([201, 201]);
    expect(customers.byKey.size).toBe(1);
    expect(new Set(billing.checkouts.map((c) => c.customerId))).toEqual(new Set(['cus_1']));
  });

  it('offers no Stripe trial to a user who already had one', async () => {
    // Prepare
    const record = baseRecord();
    record.trialUsed = true;
    entitlements.items.set(SUB, record);
    // Act
    await handle(post({ plan: 'pro', interval: 'month' }));
    // Assess
    expect(billing.checkouts[0]?.trialDays).toBeUndefined();
  });

  it('offers no Stripe trial to an email whose trial an earlier account used (one trial per identity)', async () => {
    // Prepare
    const trialMarks = new MemoryAccountTombstoneStore();
    trialMarks.emails.add('alice@example.com');
    handle = createCheckoutSessionHandler({
      profiles,
      entitlements,
      heal: healer.heal,
      billing,
      catalog,
      clock,
      redirects,
      trialMarks,
    });
    // Act
    const result = await handle(post({ plan: 'pro', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(201);
    expect(billing.checkouts[0]?.trialDays).toBeUndefined();
  });

  it('offers no Stripe trial when the record was lost (nothing proves the user never had one)', async () => {
    // Prepare
    entitlements.items.clear();
    // Act
    const result = await handle(post({ plan: 'pro', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(201);
    expect(billing.checkouts[0]?.trialDays).toBeUndefined();
  });

  it('accepts caller redirects on an allowed origin, unchanged', async () => {
    // Act
    const result = await handle(
      post({
        plan: 'pro',
        interval: 'month',
        successUrl: 'http://localhost:5173/done?id={CHECKOUT_SESSION_ID}',
        cancelUrl: 'https://app.example.com/pricing',
      }),
    );
    // Assess
    expect(result.statusCode).toBe(201);
    expect(billing.checkouts[0]).toMatchObject({
      successUrl: 'http://localhost:5173/done?id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://app.example.com/pricing',
    });
  });

  it.each([
    [
      'an unknown plan',
      { plan: 'gold', interval: 'month' },
      'plan: must be one of: starter, pro, business, enterprise',
    ],
    ['a non-purchasable plan', { plan: 'trial', interval: 'month' }, 'plan: must be one of'],
    ['an unknown interval', { plan: 'pro', interval: 'week' }, 'interval: must be one of: month, year'],
    ['a missing plan', { interval: 'month' }, 'plan: must be one of'],
    ['an unknown field', { plan: 'pro', interval: 'month', coupon: 'FREE' }, 'coupon: unknown field'],
    [
      'a redirect on another origin',
      { plan: 'pro', interval: 'month', successUrl: 'https://evil.test/x' },
      'successUrl: must start with one of the allowed origins',
    ],
    [
      'a look-alike origin',
      { plan: 'pro', interval: 'month', cancelUrl: 'https://app.example.com.evil.test/' },
      'cancelUrl: must start with one of the allowed origins',
    ],
    [
      'a non-http redirect',
      { plan: 'pro', interval: 'month', successUrl: 'javascript:alert(1)' },
      'successUrl: must be an absolute http(s) URL',
    ],
    ['a JSON array', [], 'body: must be a JSON object'],
  ])('is 400 naming the field for %s, and creates nothing', async (_case, body, message) => {
    // Act
    const result = await handle(post(body));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error?.code).toBe('invalid_request');
    expect(bodyOf(result).error?.message).toContain(message);
    expect(customers.creates).toBe(0);
    expect(billing.checkouts).toEqual([]);
  });

  it('is 400 for malformed JSON', async () => {
    // Act
    const result = await handle(post('{"plan": "pro",'));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error?.message).toBe('request body is not valid JSON');
  });

  it('is 400 naming the allowed intervals when the plan is not sold per that interval', async () => {
    // Prepare
    const monthlyOnly = structuredClone(catalog.toJSON());
    const pro = monthlyOnly.plans.find((p) => p.id === 'pro');
    if (pro) pro.prices = { month: 'pro_monthly' };
    const { PlanCatalog } = await import('../../../lambdas/domain/plan-catalog');
    const custom = PlanCatalog.parse(monthlyOnly);
    const local = createCheckoutSessionHandler({
      profiles,
      entitlements,
      heal: healer.heal,
      billing,
      catalog: custom,
      clock,
      redirects,
    });
    // Act
    const result = await local(post({ plan: 'pro', interval: 'year' }));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error?.message).toBe('interval: plan "pro" is not sold per year; allowed values: month');
  });

  it('is 409 with a billing-portal hint for a caller with an entitled paid subscription, and creates nothing', async () => {
    // Prepare
    entitlements.items.set(SUB, proRecord());
    profiles.items.set(SUB, { ...structuredClone(baseProfile), stripeCustomerId: 'cus_existing' });
    // Act
    const result = await handle(post({ plan: 'business', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result).error?.code).toBe('already_subscribed');
    expect(bodyOf(result).error?.message).toContain('billing portal');
    expect(billing.checkouts).toEqual([]);
    expect(customers.creates).toBe(0);
  });

  it('lets a caller whose paid period ended (cancelled at period end) check out again', async () => {
    // Prepare
    const record = proRecord();
    record.cancelAtPeriodEnd = true;
    record.currentPeriodEnd = '2030-01-10T00:00:00.000Z';
    entitlements.items.set(SUB, record);
    // Act
    const result = await handle(post({ plan: 'pro', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(201);
    expect(billing.checkouts[0]?.customerId).toBe('cus_1');
  });

  it('recreates a lost profile from the Cognito user and links the customer carrying its sub (no second customer)', async () => {
    // Prepare
    profiles.items.clear();
    healer.source.stripeCustomers.push({
      id: 'cus_found',
      metadata: { cognito_sub: SUB },
      created: 1,
      subscriptions: [],
      complete: false,
    });
    // Act
    const result = await handle(post({ plan: 'pro', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(201);
    expect(profiles.items.get(SUB)).toMatchObject({ email: 'alice@example.com', stripeCustomerId: 'cus_found' });
    expect(billing.checkouts[0]?.customerId).toBe('cus_found');
    expect(customers.creates).toBe(0);
  });

  it('is 409 already_subscribed after healing a lost record of a paying customer from Stripe', async () => {
    // Prepare
    entitlements.items.clear();
    profiles.items.set(SUB, { ...structuredClone(baseProfile), stripeCustomerId: 'cus_paying' });
    healer.source.stripeCustomers.push({
      id: 'cus_paying',
      metadata: { cognito_sub: SUB },
      created: 1,
      subscriptions: [activeSubscription('sub_live', 'cus_paying', 'pro_monthly')],
      complete: false,
    });
    // Act
    const result = await handle(post({ plan: 'business', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result).error?.code).toBe('already_subscribed');
    expect(entitlements.items.get(SUB)).toMatchObject({ plan: 'pro', status: 'active', entitled: true });
    expect(billing.checkouts).toEqual([]);
  });

  it('is 404 account_deleted when the Cognito user is gone, and creates nothing', async () => {
    // Prepare
    profiles.items.clear();
    healer.source.users.clear();
    // Act
    const result = await handle(post({ plan: 'pro', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result).error?.code).toBe('account_deleted');
    expect(customers.creates).toBe(0);
  });

  it('is 503 with a retry hint when Stripe is down', async () => {
    // Prepare
    billing.failWith = new DependencyUnavailableError('stripe', 'stripe price lookup failed (StripeConnectionError)');
    // Act
    const result = await handle(post({ plan: 'pro', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toBeDefined();
    expect(bodyOf(result).error?.code).toBe('service_unavailable');
  });

  it('is a generic 500 when the catalog lookup key has no Stripe price', async () => {
    // Prepare
    delete billing.prices.pro_monthly;
    profiles.items.set(SUB, { ...structuredClone(baseProfile), stripeCustomerId: 'cus_existing' });
    // Act
    const result = await handle(post({ plan: 'pro', interval: 'month' }));
    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('pro_monthly');
    expect(customers.creates).toBe(0);
  });

  it('is 401 without a verified sub', async () => {
    // Act
    const result = await handle(jwtEvent({ claims: null, body: '{"plan":"pro","interval":"month"}' }));
    // Assess
    expect(result.statusCode).toBe(401);
  });

  it('uses one idempotency key for a double click and another for other parameters or a later minute', () => {
    // Prepare
    const session = { sub: SUB, plan: 'pro', interval: 'month', customerId: 'cus_1', successUrl: 'a', cancelUrl: 'b' };
    const at = new Date('2030-01-15T12:00:10.000Z');
    // Act
    const first = checkoutIdempotencyKey(session, at);
    const again = checkoutIdempotencyKey({ ...session }, new Date('2030-01-15T12:00:40.000Z'));
    const otherUrl = checkoutIdempotencyKey({ ...session, successUrl: 'c' }, at);
    const later = checkoutIdempotencyKey(session, new Date('2030-01-15T12:01:10.000Z'));
    // Assess
    expect(again).toBe(first);
    expect(first.startsWith(`checkout-${SUB}-pro-month-`)).toBe(true);
    expect(otherUrl).not.toBe(first);
    expect(later).not.toBe(first);
    expect(first.length).toBeLessThanOrEqual(255);
  });
});
