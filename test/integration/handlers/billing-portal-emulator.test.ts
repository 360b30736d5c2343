import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEntitlementStore } from '../../../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../../../lambdas/adapters/dynamo/profile-store';
import { initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { handlerFromEnv as billingPortalFromEnv } from '../../../lambdas/handlers/billing-portal';
import { type StripeEmulator, startStripeEmulator } from '../../../local/stripe/emulator';
import { bodyOf, jwtEvent } from '../../support/api-doubles';
import { uniqueEmail, useEmulatorBackend } from '../../support/backend';
import { useLogCapture } from '../../support/logs';

/**
 * POST /billing/portal-sessions against the Stripe emulator of an account whose customer portal was never set up:
 * Stripe refuses the session until a default portal configuration exists (saved in the Dashboard or through the
 * API; https://docs.stripe.com/customer-management/configure-portal). The route answers a coded 503 an operator can
 * act on, and opens the portal once the settings are saved.
 */
describe('billing portal on a Stripe account without a portal configuration', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const logs = useLogCapture();
  let emulator: StripeEmulator;

  beforeAll(async () => {
    emulator = await startStripeEmulator({ catalog: PlanCatalog.defaults() });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('answers 503 portal_not_configured (one ERROR line), then 201 once the portal settings are saved', async () => {
    // Prepare: a user whose profile links a real emulator customer (and whose record exists: nothing to heal)
    const email = uniqueEmail('portal');
    const customer = await emulator.client().customers.create({ email });
    const sub = `sub-portal-${Date.now()}`;
    await new DynamoProfileStore(backend().ddb, backend().tables.userProfiles).upsert(
      {
        userId: sub,
        cognitoUsername: sub,
        email,
        emailVerified: true,
        identityProvider: 'cognito',
        stripeCustomerId: customer.id,
      },
      new Date(),
    );
    await new DynamoEntitlementStore(backend().ddb, backend().tables.entitlements).writeIfVersion(
      initialEntitlementRecord(PlanCatalog.defaults(), { sub, email }, new Date()),
      null,
    );
    const portal = billingPortalFromEnv({
      ...backend().env,
      STRIPE_SECRET_KEY: emulator.secretKey,
      STRIPE_API_BASE: emulator.apiBase,
      ALLOWED_ORIGINS: 'http://localhost:5173',
    });
    const request = jwtEvent({ method: 'POST', path: '/billing/portal-sessions', claims: { sub, email } });

    // Act
    const refused = await portal(request);
    const errorsWhenRefused = logs.errors();
    emulator.saveDefaultPortalConfiguration();
    const opened = await portal(request);

    // Assess
    expect(refused.statusCode).toBe(503);
    expect(bodyOf(refused).error).toEqual({
      code: 'portal_not_configured',
      message: expect.stringContaining('save the customer portal settings in the Stripe Dashboard'),
    });
    expect(errorsWhenRefused).toEqual(['A setting the operator must make is missing']);
    expect(logs.lines.find((line) => line.level === 'ERROR')).toMatchObject({
      code: 'portal_not_configured',
      error: expect.stringContaining('default configuration has not been created'),
    });
    expect(opened.statusCode).toBe(201);
    expect(String(bodyOf(opened).url)).toContain('/_emulator/portal/');
  });
});
