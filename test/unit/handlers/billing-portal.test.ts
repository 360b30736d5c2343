import { beforeEach, describe, expect, it } from 'vitest';
import { CodedNotConfiguredError } from '../../../lambdas/domain/coded-errors';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { createBillingPortalHandler } from '../../../lambdas/handlers/billing-portal';
import { redirectEnvSchema } from '../../../lambdas/platform/redirects';
import { baseProfile, bodyOf, jwtEvent, MemoryBilling, SUB } from '../../support/api-doubles';
import { MemoryProfileStore } from '../../support/fakes/profile-store';
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
  let handle: ReturnType<typeof createBillingPortalHandler>;

  beforeEach(() => {
    profiles = new MemoryProfileStore();
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
