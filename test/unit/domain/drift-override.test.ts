import { describe, expect, it } from 'vitest';
import { type DriftContext, planUser, type UserSnapshot } from '../../../lambdas/domain/drift';
import { type EntitlementOverride, initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { withOverride } from '../../../lambdas/domain/entitlement-override';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { NormalisedSubscription } from '../../../lambdas/domain/stripe-events';

const catalog = PlanCatalog.defaults();
const NOW = new Date('2026-06-01T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const ctxAt = (now: Date): DriftContext => ({
  catalog,
  policy: { gracePeriodDays: 7, paymentReversal: 'revoke' as const },
  now,
  stripeListedAt: Math.floor(now.getTime() / 1000),
  runId: 'run-1',
});
const ctx = ctxAt(NOW);
const pro: NormalisedSubscription = {
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
const override: EntitlementOverride = {
  plan: 'enterprise',
  endsAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
  reason: 'partner',
  operator: { sub: 'op-1' },
  grantedAt: '2026-05-01T00:00:00.000Z',
};

/** A user whose record holds an enterprise override over a free Stripe state, in the enterprise group. */
function userWithOverride(subscriptions: NormalisedSubscription[] = []): UserSnapshot {
  const initial = initialEntitlementRecord(
    catalog,
    { sub: 'sub-1', cognitoUsername: 'sub-1', stripeCustomerId: 'cus_1' },
    NOW,
  );
  const { cognito_sub: _s, cognitoGroups: _g, ...free } = initial;
  const merged = withOverride(free, override, catalog, NOW);
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
    cognitoGroups: ['enterprise'],
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
    record: { ...initial, ...merged, cognitoGroups: ['enterprise'] },
    customers: [{ id: 'cus_1', cognitoSub: 'sub-1', created: 1_700_000_000, subscriptions, complete: false }],
  };
}

describe('reconcile and overrides', () => {
  it('keeps an active override: nothing to repair, groups stay on the override plan', () => {
    expect(planUser(userWithOverride(), ctx)).toEqual({ sub: 'sub-1', findings: [], actions: [] });
  });

  it('an ended override is taken off: the Stripe state (free) returns with its groups', () => {
    // Act
    const plan = planUser(userWithOverride(), ctxAt(new Date(Date.parse(override.endsAt ?? '') + 1000)));

    // Assess
    expect(plan.findings.map((f) => f.kind)).toEqual(['period-ended', 'groups-mismatch']);
    expect(plan.actions.map((a) => a.type)).toEqual(['recompute-entitlement', 'sync-groups']);
    expect(plan.actions[0]).toMatchObject({ to: { plan: 'free' } });
    expect(plan.actions[1]).toMatchObject({ add: ['free'], remove: ['enterprise'] });
  });

  it('a Stripe change under an active override is recomputed beneath it, the override stays', () => {
    // Act: Stripe now lists a pro subscription the record never saw
    const plan = planUser(userWithOverride([pro]), ctx);

    // Assess
    expect(plan.findings.map((f) => [f.kind, f.detail])).toEqual([
      ['entitlement-mismatch', 'under the override: stored free/none (not entitled), Stripe gives pro/active'],
    ]);
    expect(plan.actions.map((a) => a.type)).toEqual(['recompute-entitlement']);
    expect(plan.actions[0]).toMatchObject({ to: { plan: 'enterprise' } });
  });
});
