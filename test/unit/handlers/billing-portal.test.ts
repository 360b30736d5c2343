import { beforeEach, describe, expect, it } from 'vitest';
import { CodedNotConfiguredError } from '../../../lambdas/domain/coded-errors';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { createBillingPortalHandler } from '../../../lambdas/handlers/billing-portal';
import { redirectEnvSchema } from '../../../lambdas/platform/redirects';
import {
  baseProfile,
  baseRecord,
  bodyOf,
  catalog,
  fixedClock,
  jwtEvent,
  MemoryBilling,
  SUB,
} from '../../support/api-doubles';
import { MemoryCustomerGateway } from '../../support/fakes/customer-gateway';
import { MemoryEntitlementStore } from '../../support/fakes/entitlement-store';
import { MemoryGroupGateway } from '../../support/fakes/group-gateway';
import { MemoryProfileStore } from '../../support/fakes/profile-store';
import { memoryHealer } from '../../support/heal-doubles';
import { useLogCapture } from '../../support/logs';

const redirects = redirectEnvSchema.parse({
  ALLOWED_ORIGINS: 'https://app.example.com',
  PORTAL_RETURN_URL: 'https://app.example.com/settings/billing',
});
const post = (body?: string) => jwtEvent({ method: 'POST', path: '/billing/portal-sessions', body });

describe('POST /billing/portal-sessions', () => {
  const logs = useLogCapture();
  let profiles: MemoryProfileStore;
  let billing: MemoryBilling;
  let customers: MemoryCustomerGateway;
  let healer: ReturnType<typeof memoryHealer>;
  let handle: ReturnType<typeof createBillingPortalHandler>;

  beforeEach(() => {
    profiles = new MemoryProfileStore();
    billing = new MemoryBilling();
    customers = new MemoryCustomerGateway();
    const entitlements = new MemoryEntitlementStore();
    profiles.items.set(SUB, { ...structuredClone(baseProfile), stripeCustomerId: 'cus_42' });
    entitlements.items.set(SUB, { ...baseRecord(), stripeCustomerId: 'cus_42' });
    const groups = new MemoryGroupGateway();
    healer = memoryHealer({ profiles, entitlements, groups, customers, catalog, clock: fixedClock() });
    healer.source.addUser(SUB, 'alice@example.com');
    handle = createBillingPortalHandler({ profiles, entitlements, billing, redirects, heal: healer.heal });
  });

  it('opens the portal for the caller customer with the configured return URL (empty body)', async () => {
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({ url: 'https://billing.stripe.com/p/session/test_1' });
    expect(billing.portals).toEqual([{ customerId: 'cus_42', returnUrl: 'https://app.example.com/settings/billing' }]);
  });

  it('accepts a return URL on an allowed origin', async () => {
    // Act
    const result = await handle(post(JSON.stringify({ returnUrl: 'https://app.example.com/account?tab=plan' })));
    // Assess
    expect(result.statusCode).toBe(201);
    expect(billing.portals[0]?.returnUrl).toBe('https://app.example.com/account?tab=plan');
  });

  it('is 400 naming returnUrl for another origin', async () => {
    // Act
    const result = await handle(post(JSON.stringify({ returnUrl: 'https://evil.test/' })));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error?.message).toMatch(/^returnUrl: /);
    expect(billing.portals).toEqual([]);
  });

  it('is 400 for malformed JSON', async () => {
    // Act
    const result = await handle(post('{'));
    // Assess
    expect(result.statusCode).toBe(400);
  });

  it('opens the portal without healing when the profile and record are there', async () => {
    // Act
    await handle(post());
    // Assess
    expect(healer.calls).toEqual([]);
  });

  it('links the customer carrying the sub when the profile has none, and opens its portal', async () => {
    // Prepare
    profiles.items.set(SUB, structuredClone(baseProfile));
    healer.source.stripeCustomers.push({
      id: 'cus_42',
      metadata: { cognito_sub: SUB },
      created: 1,
      subscriptions: [],
      complete: false,
    });
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(201);
    expect(billing.portals[0]?.customerId).toBe('cus_42');
    expect(customers.creates).toBe(0);
  });

  it('recreates a lost profile of a paying customer from the Cognito user and opens the portal', async () => {
    // Prepare
    profiles.items.clear();
    healer.source.stripeCustomers.push({
      id: 'cus_42',
      metadata: { cognito_sub: SUB },
      created: 1,
      subscriptions: [],
      complete: false,
    });
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(201);
    expect(profiles.items.get(SUB)).toMatchObject({ email: 'alice@example.com', stripeCustomerId: 'cus_42' });
    expect(billing.portals[0]?.customerId).toBe('cus_42');
  });

  it('is 404 account_deleted when the Cognito user is gone', async () => {
    // Prepare
    profiles.items.clear();
    healer.source.users.clear();
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result).error?.code).toBe('account_deleted');
  });

  it('is 503 when Stripe is down', async () => {
    // Prepare
    billing.failWith = new DependencyUnavailableError('stripe', 'stripe portal session create failed');
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).error?.code).toBe('service_unavailable');
  });

  it('is 503 portal_not_configured with the operator fix, logged as one error, when Stripe has no portal configuration', async () => {
    // Prepare
    billing.failWith = new CodedNotConfiguredError(
      'portal_not_configured',
      'Stripe refused the portal session: No configuration provided ...',
      'The billing portal is not set up for this Stripe account yet. Operator: ...',
    );
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).error).toEqual({
      code: 'portal_not_configured',
      message: 'The billing portal is not set up for this Stripe account yet. Operator: ...',
    });
    expect(logs.errors()).toEqual(['A setting the operator must make is missing']);
    expect(logs.lines[0]).toMatchObject({ code: 'portal_not_configured', error: expect.stringContaining('refused') });
  });

  it('is 401 without a verified sub', async () => {
    // Act
    const result = await handle(jwtEvent({ claims: null }));
    // Assess
    expect(result.statusCode).toBe(401);
  });
});
