import { describe, expect, it } from 'vitest';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../../lambdas/domain/entitlement';
import {
  type BillingState,
  computeEntitlement,
  emptyBillingState,
  type PausedCollectionAccess,
  type SubscriptionSnapshot,
} from '../../../lambdas/domain/entitlement-policy';
import type { InvoiceFacts } from '../../../lambdas/domain/payment-facts';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';

const catalog = PlanCatalog.defaults();
const policy = { gracePeriodDays: 7, paymentReversal: 'revoke' as const };
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

describe('computeEntitlement: cancel_at (any date) and paused collection', () => {
  const at = (seconds: number) => new Date((periodStart + seconds) * 1000);
  const iso = (seconds: number) => new Date((periodStart + seconds) * 1000).toISOString();
  const pause = { behavior: 'keep_as_draft', resumesAt: null };

  it.each<[string, Partial<SubscriptionSnapshot>, number, boolean, string, string | null]>([
    [
      'cancel_at beyond the period, before the renewal event',
      { cancelAt: periodStart + 40 * day },
      31 * day,
      true,
      'active',
      iso(40 * day),
    ],
    ['cancel_at beyond the period, passed', { cancelAt: periodStart + 40 * day }, 41 * day, false, 'canceled', null],
    [
      'cancel_at inside the period, before it',
      { cancelAt: periodStart + 10 * day },
      5 * day,
      true,
      'active',
      iso(10 * day),
    ],
    ['cancel_at inside the period, passed', { cancelAt: periodStart + 10 * day }, 11 * day, false, 'canceled', null],
    [
      'cancel at the period end, passed',
      { cancelAt: periodEnd, cancelAtPeriodEnd: true },
      31 * day,
      false,
      'canceled',
      null,
    ],
    [
      'an older record: cancel_at_period_end only',
      { cancelAtPeriodEnd: true },
      29 * day,
      true,
      'active',
      iso(30 * day),
    ],
    ['not cancelling', {}, 31 * day, true, 'active', null],
  ])('%s', (_name, overrides, now, entitled, status, cancelAt) => {
    // Act
    const result = computeEntitlement([snapshot(overrides)], catalog, at(now), policy);

    // Assess
    expect(result).toMatchObject({ entitled, status });
    if (entitled) expect(result.cancelAt).toBe(cancelAt);
    if (entitled) expect(result.currentPeriodEnd).toBe(iso(30 * day));
  });

  it.each<[string, PausedCollectionAccess | undefined, Partial<SubscriptionSnapshot>, boolean, string]>([
    ['keep (default): the service goes on for free', undefined, { pauseCollection: pause }, true, 'active'],
    ['keep', 'keep', { pauseCollection: pause }, true, 'active'],
    ['revoke: no access while collection is paused', 'revoke', { pauseCollection: pause }, false, 'paused'],
    [
      'revoke, resumes_at passed',
      'revoke',
      { pauseCollection: { behavior: 'void', resumesAt: periodStart + day } },
      true,
      'active',
    ],
    ['revoke, not paused', 'revoke', { pauseCollection: null }, true, 'active'],
  ])('paused collection, %s', (_name, pausedCollection, overrides, entitled, status) => {
    const result = computeEntitlement([snapshot(overrides)], catalog, PHASES.early, { ...policy, pausedCollection });
    expect(result).toMatchObject({ entitled, status, plan: entitled ? 'pro' : 'free' });
  });
});

describe('computeEntitlement: past_due grace anchored to the start of the unpaid streak', () => {
  const hour = 3600;
  /** Times relative to the period start. */
  const facts = (over: Partial<InvoiceFacts>): InvoiceFacts => {
    const shift = (t: number | null | undefined) => (t === null || t === undefined ? null : periodStart + t);
    return {
      subscriptionId: 'sub_a',
      paidAt: shift(over.paidAt),
      amountPaid: over.amountPaid ?? null,
      firstFailedAt: shift(over.firstFailedAt),
      closedAt: shift(over.closedAt),
    };
  };
  const paidAt = (at: number) => ({ paidAt: at, amountPaid: 2900 });
  const at = (seconds: number) => new Date((periodStart + seconds) * 1000);
  const iso = (seconds: number) => new Date((periodStart + seconds) * 1000).toISOString();

  const TABLE: [string, Record<string, InvoiceFacts>, number, boolean, string | null][] = [
    [
      'renewal failed an hour in: within grace',
      { in_b: facts({ firstFailedAt: hour }) },
      3 * day,
      true,
      iso(hour + 7 * day),
    ],
    ['renewal failed an hour in: grace over', { in_b: facts({ firstFailedAt: hour }) }, 8 * day, false, null],
    [
      'a streak across a renewal is not reset by it',
      { in_a: facts({ firstFailedAt: hour - 30 * day }), in_b: facts({ firstFailedAt: hour }) },
      3 * day,
      false,
      null,
    ],
    [
      'a mid-period failure (day 20) gets the full grace',
      { in_x: facts({ firstFailedAt: 20 * day }) },
      22 * day,
      true,
      iso(27 * day),
    ],
    [
      'a payment ended the earlier streak',
      { in_a: facts({ firstFailedAt: -29 * day, ...paidAt(-25 * day) }), in_b: facts({ firstFailedAt: hour }) },
      3 * day,
      true,
      iso(hour + 7 * day),
    ],
    [
      'a voided invoice is no longer owed',
      { in_a: facts({ firstFailedAt: -29 * day, closedAt: -20 * day }), in_b: facts({ firstFailedAt: hour }) },
      3 * day,
      true,
      iso(hour + 7 * day),
    ],
    [
      'an invoice left open from before the last payment does not count',
      {
        in_old: facts({ firstFailedAt: -60 * day }),
        in_paid: facts(paidAt(-30 * day)),
        in_b: facts({ firstFailedAt: hour }),
      },
      3 * day,
      true,
      iso(hour + 7 * day),
    ],
    [
      'retries of the same invoice keep its first failure',
      { in_b: facts({ firstFailedAt: hour }) },
      7 * day + hour - 1,
      true,
      iso(hour + 7 * day),
    ],
    ['no failure known yet (past_due arrived first): from the period start', {}, 3 * day, true, iso(7 * day)],
  ];

  it.each(TABLE)('%s', (_name, invoices, now, entitled, graceEndsAt) => {
    // Prepare
    const billing = { ...emptyBillingState(), invoices };

    // Act
    const result = computeEntitlement([snapshot({ status: 'past_due' })], catalog, at(now), policy, billing);

    // Assess
    expect(result.entitled).toBe(entitled);
    expect(result.status).toBe(entitled ? 'past_due' : 'expired');
    expect(result.graceEndsAt).toBe(graceEndsAt);
  });
});

describe('computeEntitlement: refunds and disputes, scoped to the payment of the current period', () => {
  const at = periodStart + day;
  const paid = (subscriptionId: string, paidAt: number, amountPaid = 2900) => ({
    subscriptionId,
    paidAt,
    amountPaid,
    firstFailedAt: null,
    closedAt: null,
  });
  const charge = (invoiceId: string | null, amountRefunded = 0, amount = 2900) => ({
    invoiceId,
    amount,
    amountRefunded,
    readAt: at * 1000,
  });
  const dispute = (chargeId: string, outcome: 'open' | 'won' | 'lost', fundsReinstated = false) => ({
    chargeId,
    outcome,
    fundsReinstated,
    at,
  });
  /** sub_a paid in_1 (last month, ch_1) and in_2 (this period, ch_2); ch_x is a one-off payment. */
  const billing = (overrides: Partial<BillingState>): BillingState => ({
    ...emptyBillingState(),
    invoices: { in_1: paid('sub_a', periodStart - 30 * day), in_2: paid('sub_a', periodStart) },
    charges: { ch_1: charge('in_1'), ch_2: charge('in_2'), ch_x: charge(null) },
    ...overrides,
  });
  const withCharges = (changes: Record<string, ReturnType<typeof charge>>) =>
    billing({ charges: { ch_1: charge('in_1'), ch_2: charge('in_2'), ch_x: charge(null), ...changes } });

  const TABLE: [string, BillingState, boolean, string | null][] = [
    ['no refund, no dispute', billing({}), true, null],
    [
      'a full refund of the charge that paid this period revokes',
      withCharges({ ch_2: charge('in_2', 2900) }),
      false,
      'refund',
    ],
    ['a partial refund never revokes', withCharges({ ch_2: charge('in_2', 1450) }), true, null],
    ['a full refund of last month (goodwill) does not revoke', withCharges({ ch_1: charge('in_1', 2900) }), true, null],
    ['a full refund of a one-off charge does not revoke', withCharges({ ch_x: charge(null, 2900) }), true, null],
    [
      'a refund that failed later (read back unrefunded) restores',
      withCharges({ ch_2: charge('in_2', 0) }),
      true,
      null,
    ],
    ['a lost dispute of this period revokes', billing({ disputes: { du: dispute('ch_2', 'lost') } }), false, 'dispute'],
    ['an open dispute does not revoke', billing({ disputes: { du: dispute('ch_2', 'open') } }), true, null],
    ['a won dispute does not revoke', billing({ disputes: { du: dispute('ch_2', 'won') } }), true, null],
    [
      'a lost dispute whose funds were reinstated does not revoke',
      billing({ disputes: { du: dispute('ch_2', 'lost', true) } }),
      true,
      null,
    ],
    [
      'a lost dispute of a one-off charge does not revoke',
      billing({ disputes: { du: dispute('ch_x', 'lost') } }),
      true,
      null,
    ],
    [
      'a later non-zero payment restores (it becomes the latest invoice)',
      billing({
        invoices: {
          in_1: paid('sub_a', periodStart - 30 * day),
          in_2: paid('sub_a', periodStart),
          in_3: paid('sub_a', at),
        },
        charges: { ch_2: charge('in_2', 2900) },
      }),
      true,
      null,
    ],
    [
      'a $0 invoice after the refund does not restore',
      billing({
        invoices: { in_2: paid('sub_a', periodStart), in_0: paid('sub_a', at, 0) },
        charges: { ch_2: charge('in_2', 2900) },
      }),
      false,
      'refund',
    ],
  ];

  it.each(TABLE)('%s', (_name, state, entitled, reason) => {
    // Act
    const result = computeEntitlement([snapshot({})], catalog, PHASES.early, policy, state);

    // Assess
    expect(result.entitled).toBe(entitled);
    expect(result.plan).toBe(entitled ? 'pro' : 'free');
    expect(result.status).toBe(entitled ? 'active' : 'revoked');
    expect(result.paymentReversal ?? null).toEqual(reason ? { action: 'revoked', reason, chargeId: 'ch_2' } : null);
  });

  it.each([
    ['revoke', false, { action: 'revoked', reason: 'refund', chargeId: 'ch_2' }],
    ['flag', true, { action: 'flagged', reason: 'refund', chargeId: 'ch_2' }],
    ['ignore', true, null],
  ] as const)('per stage: %s -> entitled %s', (paymentReversal, entitled, view) => {
    const state = withCharges({ ch_2: charge('in_2', 2900) });
    const result = computeEntitlement([snapshot({})], catalog, PHASES.early, { ...policy, paymentReversal }, state);
    expect(result).toMatchObject({ entitled, paymentReversal: view });
  });

  it("revokes only the subscription whose payment was reversed: another one's access stays", () => {
    // Prepare
    const subs = [snapshot({}), snapshot({ id: 'sub_b', plan: 'starter' })];
    const state = withCharges({ ch_2: charge('in_2', 2900) });

    // Act
    const result = computeEntitlement(subs, catalog, PHASES.early, policy, state);

    // Assess
    expect(result).toMatchObject({ entitled: true, plan: 'starter', paymentReversal: null });
  });

  it('a deleted customer has no entitlement', () => {
    const state = { ...emptyBillingState(), customerDeletedAt: periodStart + 1 };
    expect(computeEntitlement([snapshot({})], catalog, PHASES.early, policy, state).entitled).toBe(false);
  });
});
