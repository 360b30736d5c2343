import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoGroupGateway } from '../../../lambdas/adapters/cognito/cognito-groups';
import { DynamoEntitlementStore } from '../../../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../../../lambdas/adapters/dynamo/profile-store';
import type { EntitlementRecord } from '../../../lambdas/domain/entitlement';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { handlerFromEnv as billingPortalFromEnv } from '../../../lambdas/handlers/billing-portal';
import { handlerFromEnv as checkoutFromEnv } from '../../../lambdas/handlers/checkout-session';
import { handlerFromEnv as openApiFromEnv } from '../../../lambdas/handlers/openapi';
import { createStartTrialHandler, handlerFromEnv as startTrialFromEnv } from '../../../lambdas/handlers/start-trial';
import { handlerFromEnv as statusFromEnv } from '../../../lambdas/handlers/subscription-status';
import { renderOpenApi } from '../../../scripts/generate-openapi';
import { bodyOf, jwtEvent } from '../../support/api-doubles';
import { uniqueEmail, useEmulatorBackend } from '../../support/backend';
import { type StripeHttpDouble, startStripeHttpDouble } from './stripe-http-double';

/**
 * The frontend routes end to end against dynalite + cognito-local, built exactly as in AWS (`handlerFromEnv`), with
 * the real Stripe SDK talking to an in-test HTTP double.
 */
describe('frontend API against the emulators', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const catalog = PlanCatalog.defaults();
  let stripe: StripeHttpDouble;
  let env: Record<string, string>;
  let routes: {
    status: ReturnType<typeof statusFromEnv>;
    checkout: ReturnType<typeof checkoutFromEnv>;
    portal: ReturnType<typeof billingPortalFromEnv>;
    trial: ReturnType<typeof startTrialFromEnv>;
  };

  beforeAll(async () => {
    stripe = await startStripeHttpDouble();
    env = {
      ...backend().env,
      STRIPE_SECRET_KEY: 'sk_test_frontend_api',
      STRIPE_API_BASE: stripe.apiBase,
      ALLOWED_ORIGINS: 'http://localhost:5173',
    };
    routes = {
      status: statusFromEnv(env),
      checkout: checkoutFromEnv(env),
      portal: billingPortalFromEnv(env),
      trial: startTrialFromEnv(env),
    };
  });
  afterAll(async () => {
    await stripe?.close();
  });

  const stores = () => ({
    profiles: new DynamoProfileStore(backend().ddb, backend().tables.userProfiles),
    entitlements: new DynamoEntitlementStore(backend().ddb, backend().tables.entitlements),
  });

  /** A confirmed Cognito user (no trigger ran, so no profile and no record) and the claims its ID token carries. */
  async function signedUpUser(): Promise<Record<string, unknown>> {
    const { cognitoClient, userPool } = backend();
    const email = uniqueEmail('api');
    await cognitoClient.send(
      new SignUpCommand({ ClientId: userPool.userPoolClientId, Username: email, Password: 'Correct-horse-9!' }),
    );
    await cognitoClient.send(new AdminConfirmSignUpCommand({ UserPoolId: userPool.userPoolId, Username: email }));
    const user = await cognitoClient.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
    return { sub, email, email_verified: 'true', 'cognito:username': user.Username, 'cognito:groups': undefined };
  }

  async function cognitoGroupsOf(username: string): Promise<string[]> {
    const { cognitoClient, userPool } = backend();
    const result = await cognitoClient.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPool.userPoolId, Username: username }),
    );
    return (result.Groups ?? []).map((g) => g.GroupName ?? '').sort();
  }

  const checkoutEvent = (claims: Record<string, unknown>, body: unknown = { plan: 'pro', interval: 'month' }) =>
    jwtEvent({ method: 'POST', path: '/checkout/sessions', claims, body: JSON.stringify(body) });

  it('heals a caller with no profile from the Cognito user: profile, one Stripe customer, record, free group', async () => {
    // Prepare
    const claims = await signedUpUser();
    const sub = String(claims.sub);
    // Act
    const result = await routes.status(jwtEvent({ claims }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    expect(bodyOf(result)).toMatchObject({ status: 'none', plan: 'free', entitled: false, groups: ['free'] });
    const profile = await stores().profiles.get(sub);
    // The Cognito user is the source (its email is not verified: the claims said otherwise).
    expect(profile).toMatchObject({ userId: sub, email: claims.email, emailVerified: false });
    const customers = stripe.customers.filter((c) => c.metadata.cognito_sub === sub);
    expect(customers).toHaveLength(1);
    expect(profile?.stripeCustomerId).toBe(customers[0]?.id);
    expect(await stores().entitlements.get(sub)).toMatchObject({ status: 'none', cognitoGroups: ['free'] });
    expect(await cognitoGroupsOf(String(claims['cognito:username']))).toEqual(['free']);
  });

  it('creates exactly one Stripe customer across concurrent checkouts, linked on the profile', async () => {
    // Prepare
    const claims = await signedUpUser();
    const sub = String(claims.sub);
    await routes.status(jwtEvent({ claims }));
    // Act
    const results = await Promise.all([
      routes.checkout(checkoutEvent(claims)),
      routes.checkout(checkoutEvent(claims)),
      routes.checkout(checkoutEvent(claims, { plan: 'pro', interval: 'year' })),
      routes.checkout(checkoutEvent(claims, { plan: 'starter', interval: 'month' })),
    ]);
    // Assess
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    const customers = stripe.customers.filter((c) => c.metadata.cognito_sub === sub);
    expect(customers).toHaveLength(1);
    const customerId = customers[0]?.id;
    expect((await stores().profiles.get(sub))?.stripeCustomerId).toBe(customerId);
    const sessions = stripe.checkoutSessions.filter((s) => s.params.get('client_reference_id') === sub);
    // The double click (same plan, interval and minute) shares one idempotency key: 3 sessions for 4 requests.
    expect(sessions).toHaveLength(3);
    for (const session of sessions) {
      expect(session.params.get('customer')).toBe(customerId);
      expect(session.params.get('mode')).toBe('subscription');
      expect(session.params.get('subscription_data[metadata][cognito_sub]')).toBe(sub);
      expect(session.params.get('subscription_data[trial_period_days]')).toBe('14');
      expect(session.params.get('success_url')).toBe(
        'http://localhost:5173/billing/success?session_id={CHECKOUT_SESSION_ID}',
      );
    }
    expect(bodyOf(results[0] ?? { body: '{}' })).toEqual(bodyOf(results[1] ?? { body: '{}' }));
  });

  it('answers 409 to the second checkout once the user is entitled to a paid plan', async () => {
    // Prepare
    const claims = await signedUpUser();
    const sub = String(claims.sub);
    await routes.status(jwtEvent({ claims }));
    const first = await routes.checkout(checkoutEvent(claims));
    const { entitlements } = stores();
    const record = (await entitlements.get(sub)) as EntitlementRecord;
    // What the webhook writes once the checkout completes.
    const paid: EntitlementRecord = {
      ...record,
      status: 'active',
      plan: 'pro',
      entitled: true,
      features: [...catalog.plan('pro').features],
      groups: ['pro'],
      currentPeriodEnd: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      entitlementsVersion: record.entitlementsVersion + 1,
    };
    expect(await entitlements.writeIfVersion(paid, record.entitlementsVersion)).toBe('written');
    const sessionsBefore = stripe.checkoutSessions.length;
    // Act
    const second = await routes.checkout(checkoutEvent(claims, { plan: 'business', interval: 'month' }));
    // Assess
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(409);
    expect(bodyOf(second).error?.code).toBe('already_subscribed');
    expect(stripe.checkoutSessions.length).toBe(sessionsBefore);
  });

  it('opens the billing portal for the linked customer, healing a caller who has no profile yet', async () => {
    // Prepare
    const claims = await signedUpUser();
    const sub = String(claims.sub);
    const portalEvent = jwtEvent({ method: 'POST', path: '/billing/portal-sessions', claims });
    // Act
    const before = await routes.portal(portalEvent);
    await routes.checkout(checkoutEvent(claims));
    const after = await routes.portal(portalEvent);
    // Assess
    expect(before.statusCode).toBe(201);
    const customers = stripe.customers.filter((c) => c.metadata.cognito_sub === sub);
    expect(customers).toHaveLength(1);
    expect(stripe.portalSessions.at(-1)?.get('customer')).toBe(customers[0]?.id);
    expect(after.statusCode).toBe(201);
    expect(bodyOf(after)).toEqual({ url: 'https://billing.stripe.test/p/1' });
    expect(stripe.portalSessions.at(-1)?.get('return_url')).toBe('http://localhost:5173/account');
  });

  it('starts the trial once: the second request is 409, and concurrent requests have one winner', async () => {
    // Prepare
    const claims = await signedUpUser();
    const racing = await signedUpUser();
    await routes.status(jwtEvent({ claims }));
    await routes.status(jwtEvent({ claims: racing }));
    const trialEvent = (c: Record<string, unknown>) =>
      jwtEvent({ method: 'POST', path: '/subscription/trial', claims: c });
    // Act
    const first = await routes.trial(trialEvent(claims));
    const second = await routes.trial(trialEvent(claims));
    const raced = await Promise.all([routes.trial(trialEvent(racing)), routes.trial(trialEvent(racing))]);
    // Assess
    expect(first.statusCode).toBe(201);
    expect(bodyOf(first)).toMatchObject({ status: 'trialing', plan: 'trial', entitled: true, groups: ['trial'] });
    expect(second.statusCode).toBe(409);
    expect(bodyOf(second).error?.code).toBe('trial_already_used');
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await cognitoGroupsOf(String(claims['cognito:username']))).toEqual(['trial']);
    expect(await stores().entitlements.get(String(claims.sub))).toMatchObject({
      trialUsed: true,
      cognitoGroups: ['trial'],
    });
  });

  it('reads an expired trial as entitled: false before any job has run', async () => {
    // Prepare: start the trial 15 days ago (real stores, clock in the past).
    const claims = await signedUpUser();
    await routes.status(jwtEvent({ claims }));
    const { entitlements } = stores();
    const past = createStartTrialHandler({
      entitlements,
      groups: new CognitoGroupGateway(backend().cognitoClient, backend().userPool.userPoolId),
      catalog,
      clock: { now: () => new Date(Date.now() - 15 * 86_400_000) },
      heal: async () => {
        throw new Error('the record exists: no heal expected');
      },
    });
    expect((await past(jwtEvent({ method: 'POST', claims }))).statusCode).toBe(201);
    // Act
    const result = await routes.status(jwtEvent({ claims: { ...claims, 'cognito:groups': '[trial]' } }));
    // Assess
    expect(bodyOf(result)).toMatchObject({ status: 'expired', plan: 'free', entitled: false, groups: ['free'] });
    expect((await entitlements.get(String(claims.sub)))?.status).toBe('trialing');
  });

  it('offers no Stripe trial at checkout after the no-card trial', async () => {
    // Prepare
    const claims = await signedUpUser();
    const sub = String(claims.sub);
    await routes.status(jwtEvent({ claims }));
    await routes.trial(jwtEvent({ method: 'POST', claims }));
    // Act
    const result = await routes.checkout(checkoutEvent(claims));
    // Assess
    expect(result.statusCode).toBe(201);
    const session = stripe.checkoutSessions.filter((s) => s.params.get('client_reference_id') === sub).at(-1);
    expect(session?.params.get('subscription_data[trial_period_days]')).toBeNull();
  });

  it('serves the committed OpenAPI document', async () => {
    // Act
    const result = await openApiFromEnv(env)(jwtEvent({ claims: null }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual(JSON.parse(renderOpenApi()));
  });
});
