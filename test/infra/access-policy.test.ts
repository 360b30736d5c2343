import { describe, expect, it } from 'vitest';
import { CONTRACTS, type FunctionContract, POLICY_VARIABLES } from '../../lambdas/platform/contracts';
import { parseStageConfig } from '../../lib/stage-config';
import { allStacks, createTestApp, type TestAppOptions, templateOf } from './support';

/**
 * The access-policy stage settings (issue 14): paymentReversal (revoke | flag | ignore) and pausedCollectionAccess
 * (keep | revoke), validated at synth, reach exactly the functions whose contract declares them (those that compute
 * entitlements from Stripe: the webhook, both reconciles, Post-Confirmation's parked-event retry, and the frontend
 * routes that heal their caller from Stripe) as
 * PAYMENT_REVERSAL and PAUSED_COLLECTION_ACCESS.
 */

type LambdaResource = { Properties: { Environment?: { Variables?: Record<string, unknown> } } };

/** Each function's POWERTOOLS_SERVICE_NAME with its two policy variables, over every stack of the app. */
function policyEnvOf(options: TestAppOptions = {}) {
  const app = createTestApp(options);
  return allStacks(app)
    .flatMap((stack) => Object.values(templateOf(stack).findResources('AWS::Lambda::Function')) as LambdaResource[])
    .map((fn) => fn.Properties.Environment?.Variables ?? {})
    .filter((env) => env.POWERTOOLS_SERVICE_NAME !== undefined)
    .map((env) => ({
      service: String(env.POWERTOOLS_SERVICE_NAME),
      PAYMENT_REVERSAL: env.PAYMENT_REVERSAL,
      PAUSED_COLLECTION_ACCESS: env.PAUSED_COLLECTION_ACCESS,
    }));
}

describe('access-policy stage settings', () => {
  it('default to revoke (from revokeOnDispute) and keep; the older switch still sets the reversal default', () => {
    expect(parseStageConfig({ stage: 'dev' })).toMatchObject({
      paymentReversal: 'revoke',
      pausedCollectionAccess: 'keep',
    });
    expect(parseStageConfig({ stage: 'dev', overrides: { revokeOnDispute: 'false' } }).paymentReversal).toBe('ignore');
    expect(
      parseStageConfig({
        stage: 'dev',
        stageOverrides: { revokeOnDispute: false, paymentReversal: 'flag' },
        overrides: { pausedCollectionAccess: 'revoke' },
      }),
    ).toMatchObject({ paymentReversal: 'flag', pausedCollectionAccess: 'revoke' });
  });

  it.each([
    [{ paymentReversal: 'refund' }, /stage "dev": paymentReversal: must be one of revoke, flag, ignore/],
    [{ pausedCollectionAccess: 'pause' }, /stage "dev": pausedCollectionAccess: must be one of keep, revoke/],
  ])('fails synth naming the key and the allowed values for %o', (overrides, message) => {
    expect(() => parseStageConfig({ stage: 'dev', overrides })).toThrow(message);
  });

  it('reach exactly the functions whose contract declares them, with the stage values', () => {
    const declaring = (Object.entries(CONTRACTS) as [string, FunctionContract][])
      .filter(([, contract]) => POLICY_VARIABLES.every((name) => contract.variables?.includes(name)))
      .map(([name]) => name)
      .sort();
    const env = policyEnvOf({ overrides: { paymentReversal: 'flag', pausedCollectionAccess: 'revoke' } });
    const withPolicy = env.filter(
      (fn) => fn.PAYMENT_REVERSAL !== undefined || fn.PAUSED_COLLECTION_ACCESS !== undefined,
    );

    expect(declaring).toEqual([
      'adminReconcile',
      'billingPortal',
      'checkoutSession',
      'postConfirmation',
      'reconcileScheduled',
      'startTrial',
      'stripeWebhook',
      'subscriptionStatus',
    ]);
    expect(withPolicy.map((fn) => fn.service).sort()).toEqual([
      'BillingPortal',
      'CheckoutSession',
      'StartTrial',
      'StripeWebhook',
      'SubscriptionStatus',
      'post-confirmation',
      'reconcile',
      'reconcile',
    ]);
    for (const fn of withPolicy) {
      expect(fn).toMatchObject({ PAYMENT_REVERSAL: 'flag', PAUSED_COLLECTION_ACCESS: 'revoke' });
    }
  });
});
