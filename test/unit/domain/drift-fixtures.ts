import type { DriftContext, UserSnapshot } from '../../../lambdas/domain/drift';
import { initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { NormalisedSubscription } from '../../../lambdas/domain/stripe-events';

/** Shared fixtures of the drift-planning tests: one instant, the default catalog, a user in sync. */
export const catalog = PlanCatalog.defaults();
export const NOW = new Date('2026-06-01T12:00:00Z');
export const nowSeconds = NOW.getTime() / 1000;

/** A reporting run (it does not delete accounts) listing Stripe at NOW. */
export const reportingContext: DriftContext = {
  catalog,
  policy: { gracePeriodDays: 7, paymentReversal: 'revoke' },
  now: NOW,
  stripeListedAt: nowSeconds,
  runId: 'run-1',
};

/** A user in sync: confirmed, profile linked to cus_1 (no subscriptions), free record, in the free group. */
export function syncedUser(): UserSnapshot {
  return {
    sub: 'sub-1',
    cognito: {
      sub: 'sub-1',
      username: 'sub-1',
      email: 'a@example.com',
      emailVerified: true,
      identityProvider: 'cognito',
      status: 'CONFIRMED',
    },
    cognitoGroups: ['free'],
    profile: {
      userId: 'sub-1',
      cognitoUsername: 'sub-1',
      email: 'a@example.com',
      emailVerified: true,
      identityProvider: 'cognito',
      stripeCustomerId: 'cus_1',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    },
    record: {
      ...initialEntitlementRecord(catalog, { sub: 'sub-1', cognitoUsername: 'sub-1', stripeCustomerId: 'cus_1' }, NOW),
      cognitoGroups: ['free'],
    },
    customers: [{ id: 'cus_1', cognitoSub: 'sub-1', created: 1_700_000_000, subscriptions: [], complete: false }],
  };
}

/** An active pro subscription of cus_1 (sub-1), one day into its period at NOW. */
export const proSubscription: NormalisedSubscription = {
  id: 'sub_pro',
  customerId: 'cus_1',
  status: 'active',
  prices: [{ id: 'price_pro', lookup_key: 'pro_monthly' }],
  priceLabel: 'pro_monthly',
  cancelAtPeriodEnd: false,
  currentPeriodStart: nowSeconds - 86_400,
  currentPeriodEnd: nowSeconds + 29 * 86_400,
  trialEnd: null,
  metadataSub: 'sub-1',
};
