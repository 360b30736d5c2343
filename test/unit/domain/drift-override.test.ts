import { describe, expect, it } from 'vitest';
import { type DriftContext, planUser, type UserSnapshot } from '../../../lambdas/domain/drift';
import type { EntitlementOverride } from '../../../lambdas/domain/entitlement';
import { withOverride } from '../../../lambdas/domain/entitlement-override';
import type { NormalisedSubscription } from '../../../lambdas/domain/stripe-events';
import { catalog, NOW, proSubscription as pro, reportingContext, syncedUser } from './drift-fixtures';

const ctxAt = (now: Date): DriftContext => ({
  ...reportingContext,
  now,
  stripeListedAt: Math.floor(now.getTime() / 1000),
});
const ctx = ctxAt(NOW);
const override: EntitlementOverride = {
  plan: 'enterprise',
  endsAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
  reason: 'partner',
  operator: { sub: 'op-1' },
  grantedAt: '2026-05-01T00:00:00.000Z',
};

/** The synced user (drift-fixtures.ts) whose record holds an enterprise override over its free Stripe state. */
function userWithOverride(subscriptions: NormalisedSubscription[] = []): UserSnapshot {
  const user = syncedUser();
  if (!user.record) throw new Error('the synced user has a record');
  const { cognito_sub: _s, cognitoGroups: _g, ...free } = user.record;
  const merged = withOverride(free, override, catalog, NOW);
  return {
    ...user,
    cognitoGroups: ['enterprise'],
    record: { ...user.record, ...merged, cognitoGroups: ['enterprise'] },
    customers: user.customers.map((customer) => ({ ...customer, subscriptions })),
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
