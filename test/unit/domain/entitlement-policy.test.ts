import { describe, expect, it } from 'vitest';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../../lambdas/domain/entitlement';
import {
  type BillingState,
  computeEntitlement,
  emptyBillingState,
  type SubscriptionSnapshot,
} from '../../../lambdas/domain/entitlement-policy';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';

const catalog = PlanCatalog.defaults();
const policy = { gracePeriodDays: 7, revokeOnDispute: true };
const day = 86_400;
const periodStart = Date.parse('2026-01-01T00:00:00Z') / 1000;
const periodEnd = periodStart + 30 * day;
const trialEnd = periodStart + 14 * day;

const base: SubscriptionSnapshot = {
  id: 'sub_a',
  status: 'active',
  plan: 'pro',
  priceLabel: 'pro_monthly',
  currentPeriodStart: periodStart,
  currentPeriodEnd: periodEnd,
  trialEnd: null,
  cancelAtPeriodEnd: false,
  eventCreated: periodStart,
  eventId: 'evt_a',
};
const snapshot = (overrides: Partial<SubscriptionSnapshot>): SubscriptionSnapshot => ({
  ...structuredClone(base),
  ...overrides,
});

/** early: inside the grace window and the trial; late: grace and trial over, period running; ended: period over. */
const PHASES = {
  early: new Date((periodStart + 3 * day) * 1000),
  late: new Date((periodStart + 20 * day) * 1000),
  ended: new Date((periodEnd + 5 * day) * 1000),
} as const;
type Phase = keyof typeof PHASES;

/** [status, cancel_at_period_end, phase] -> expected [entitled, reported status]. Every combination is listed. */
const TABLE: [SubscriptionStatus, boolean, Phase, boolean, string][] = [];
const expected: Record<SubscriptionStatus, (cancel: boolean, phase: Phase) => [boolean, string]> = {
  active: (cancel, phase) => (cancel && phase === 'ended' ? [false, 'canceled'] : [true, 'active']),
  trialing: (cancel, phase) =>
    phase === 'early' ? [true, 'trialing'] : phase === 'ended' && cancel ? [false, 'canceled'] : [false, 'expired'],
  past_due: (cancel, phase) =>
    phase === 'early' ? [true, 'past_due'] : phase === 'ended' && cancel ? [false, 'canceled'] : [false, 'expired'],
  incomplete: () => [false, 'incomplete'],
  incomplete_expired: () => [false, 'incomplete_expired'],
  canceled: () => [false, 'canceled'],
  unpaid: () => [false, 'unpaid'],
  paused: () => [false, 'paused'],
};
for (const status of SUBSCRIPTION_STATUSES) {
  for (const cancel of [false, true]) {
    for (const phase of Object.keys(PHASES) as Phase[]) {
      const [entitled, reported] = expected[status](cancel, phase);
      TABLE.push([status, cancel, phase, entitled, reported]);
    }
  }
}

describe('computeEntitlement: one subscription, every status x cancel_at_period_end x time', () => {
  it.each(TABLE)('%s, cancel_at_period_end=%s, %s -> entitled %s (%s)', (status, cancel, phase, entitled, reported) => {
    // Prepare
    const sub = snapshot({ status, cancelAtPeriodEnd: cancel, trialEnd: status === 'trialing' ? trialEnd : null });

    // Act
    const result = computeEntitlement([sub], catalog, PHASES[phase], policy);

    // Assess
    expect(result.entitled).toBe(entitled);
    expect(result.status).toBe(reported);
    expect(result.plan).toBe(entitled ? 'pro' : 'free');
    expect(result.groups).toEqual(entitled ? ['pro'] : ['free']);
    expect(result.features).toEqual(entitled ? catalog.plan('pro').features : catalog.plan('free').features);
    if (entitled) {
      expect(result.cancelAtPeriodEnd).toBe(cancel);
      expect(result.currentPeriodEnd).toBe(new Date(periodEnd * 1000).toISOString());
    }
  });

  it('reports the end of the grace window while past_due is still entitled', () => {
    const result = computeEntitlement([snapshot({ status: 'past_due' })], catalog, PHASES.early, policy);
    expect(result.graceEndsAt).toBe(new Date((periodStart + 7 * day) * 1000).toISOString());
  });

  it('honours a configured grace window', () => {
    const sub = snapshot({ status: 'past_due' });
    expect(computeEntitlement([sub], catalog, PHASES.early, { ...policy, gracePeriodDays: 2 }).entitled).toBe(false);
    expect(computeEntitlement([sub], catalog, PHASES.late, { ...policy, gracePeriodDays: 30 }).entitled).toBe(true);
  });

  it('reports the trial end of a running trial', () => {
    const result = computeEntitlement([snapshot({ status: 'trialing', trialEnd })], catalog, PHASES.early, policy);
    expect(result.trialEndsAt).toBe(new Date(trialEnd * 1000).toISOString());
  });

  it('grants nothing for a price that is not in the catalog', () => {
    const result = computeEntitlement([snapshot({ plan: null })], catalog, PHASES.early, policy);
    expect(result).toMatchObject({ entitled: false, plan: 'free', status: 'active' });
  });

  it('is the free plan with status none without subscriptions', () => {
    expect(computeEntitlement([], catalog, PHASES.early, policy)).toMatchObject({ status: 'none', plan: 'free' });
  });
});

describe('computeEntitlement: several subscriptions', () => {
  const cases: { name: string; subs: Partial<SubscriptionSnapshot>[]; phase: Phase; plan: string; status: string }[] = [
    {
      name: 'the better plan wins (enterprise over starter)',
      subs: [
        { id: 'a', plan: 'starter' },
        { id: 'b', plan: 'enterprise' },
      ],
      phase: 'early',
      plan: 'enterprise',
      status: 'active',
    },
    {
      name: 'a late cancellation of one never revokes the other paid one',
      subs: [
        { id: 'a', plan: 'pro', status: 'canceled', eventCreated: periodStart + 10 * day },
        { id: 'b', plan: 'starter', status: 'active', eventCreated: periodStart },
      ],
      phase: 'late',
      plan: 'starter',
      status: 'active',
    },
    {
      name: 'an entitled lower plan beats a better plan past its grace window',
      subs: [
        { id: 'a', plan: 'business', status: 'past_due' },
        { id: 'b', plan: 'starter' },
      ],
      phase: 'late',
      plan: 'starter',
      status: 'active',
    },
    {
      name: 'a better plan in its grace window beats a lower active one',
      subs: [
        { id: 'a', plan: 'business', status: 'past_due' },
        { id: 'b', plan: 'starter' },
      ],
      phase: 'early',
      plan: 'business',
      status: 'past_due',
    },
    {
      name: 'an unknown price next to a known one: the known one counts',
      subs: [
        { id: 'a', plan: null },
        { id: 'b', plan: 'pro', status: 'trialing', trialEnd },
      ],
      phase: 'early',
      plan: 'pro',
      status: 'trialing',
    },
    {
      name: 'none entitled: free with the most actionable status (unpaid before canceled)',
      subs: [
        { id: 'a', status: 'canceled', eventCreated: periodStart + 2 * day },
        { id: 'b', status: 'unpaid', eventCreated: periodStart + 1 * day },
      ],
      phase: 'early',
      plan: 'free',
      status: 'unpaid',
    },
    {
      name: 'cancel_at_period_end on the better one: it wins until its period ends',
      subs: [
        { id: 'a', plan: 'pro', cancelAtPeriodEnd: true },
        { id: 'b', plan: 'starter', currentPeriodEnd: periodEnd + 60 * day },
      ],
      phase: 'late',
      plan: 'pro',
      status: 'active',
    },
    {
      name: 'cancel_at_period_end on the better one: then the other one takes over',
      subs: [
        { id: 'a', plan: 'pro', cancelAtPeriodEnd: true },
        { id: 'b', plan: 'starter', currentPeriodEnd: periodEnd + 60 * day },
      ],
      phase: 'ended',
      plan: 'starter',
      status: 'active',
    },
  ];

  it.each(cases)('$name', ({ subs, phase, plan, status }) => {
    // Prepare
    const snapshots = subs.map(snapshot);

    // Act
    const forward = computeEntitlement(snapshots, catalog, PHASES[phase], policy);
    const reversed = computeEntitlement([...snapshots].reverse(), catalog, PHASES[phase], policy);

    // Assess: the answer does not depend on the order of the list
    expect(forward).toMatchObject({ plan, status });
    expect(reversed).toEqual(forward);
  });
});

describe('computeEntitlement: disputes, refunds, deleted customers', () => {
  const billing = (overrides: Partial<BillingState>): BillingState => ({ ...emptyBillingState(), ...overrides });
  const active = [snapshot({})];
  const at = periodStart + day;

  it.each([
    ['an open dispute revokes', billing({ disputes: { dp: { open: true, lost: false, eventCreated: at } } }), false],
    [
      'a dispute closed as won restores',
      billing({ disputes: { dp: { open: false, lost: false, eventCreated: at } } }),
      true,
    ],
    ['a lost dispute revokes', billing({ disputes: { dp: { open: false, lost: true, eventCreated: at } } }), false],
    ['a full refund revokes', billing({ lastRefundAt: at }), false],
    ['a payment after the refund restores', billing({ lastRefundAt: at, lastPaidAt: at + 1 }), true],
    ['a payment before the refund does not', billing({ lastRefundAt: at, lastPaidAt: at - 1 }), false],
    ['a deleted customer has no entitlement', billing({ customerDeletedAt: periodStart + 1 }), false],
  ])('%s', (_name, state, entitled) => {
    expect(computeEntitlement(active, catalog, PHASES.early, policy, state).entitled).toBe(entitled);
  });

  it('keeps entitlement on a dispute when the policy says so', () => {
    const state = billing({ disputes: { dp: { open: true, lost: false, eventCreated: at } }, lastRefundAt: at });
    const result = computeEntitlement(active, catalog, PHASES.early, { ...policy, revokeOnDispute: false }, state);
    expect(result.entitled).toBe(true);
  });
});
