import { describe, expect, it } from 'vitest';
import { type BillingState, emptyBillingState } from '../../../lambdas/domain/billing-state';
import { computeEntitlement } from '../../../lambdas/domain/entitlement-policy';
import type { SubscriptionSnapshot } from '../../../lambdas/domain/subscription-snapshot';
import {
  catalog,
  day,
  PHASES,
  type Phase,
  periodEnd,
  periodStart,
  policy,
  snapshot,
  trialEnd,
} from './subscription-fixtures';

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
