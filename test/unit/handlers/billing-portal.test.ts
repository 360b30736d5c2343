import { beforeEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { createBillingPortalHandler } from '../../../lambdas/handlers/billing-portal';
import { redirectEnvSchema } from '../../../lambdas/platform/redirects';
import { baseProfile, bodyOf, jwtEvent, MemoryBilling, MemoryProfiles, SUB } from '../../support/api-doubles';

const redirects = redirectEnvSchema.parse({
  ALLOWED_ORIGINS: 'https://app.example.com',
  PORTAL_RETURN_URL: 'https://app.example.com/settings/billing',
});
const post = (body?: string) => jwtEvent({ method: 'POST', path: '/billing/portal-sessions', body });

describe('POST /billing/portal-sessions', () => {
  let profiles: MemoryProfiles;
  let billing: MemoryBilling;
  let handle: ReturnType<typeof createBillingPortalHandler>;

  beforeEach(() => {
    profiles = new MemoryProfiles();
    billing = new MemoryBilling();
    profiles.items.set(SUB, { ...structuredClone(baseProfile), stripeCustomerId: 'cus_42' });
    handle = createBillingPortalHandler({ profiles, billing, redirects });
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

  it('is 404 with a clear message when the caller has no customer yet', async () => {
    // Prepare
    profiles.items.set(SUB, structuredClone(baseProfile));
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result).error).toEqual({
      code: 'no_billing_account',
      message: 'You have no billing account yet: start a subscription with POST /checkout/sessions first.',
    });
  });

  it('is 404 when the caller has no profile at all', async () => {
    // Prepare
    profiles.items.clear();
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(404);
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

  it('is 401 without a verified sub', async () => {
    // Act
    const result = await handle(jwtEvent({ claims: null }));
    // Assess
    expect(result.statusCode).toBe(401);
  });
});
