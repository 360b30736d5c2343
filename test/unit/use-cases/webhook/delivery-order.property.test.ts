import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SubscriptionStatus } from '../../../../lambdas/domain/entitlement';
import {
  DAY,
  deliver,
  delivered,
  deliveryArb,
  historyArb,
  historyOf,
  N,
  type Step,
} from '../../../support/billing-history';

/**
 * Guarantee 3: any permutation with duplicates of a customer's events ends in the same entitlement, groups and
 * trial mark as in-order delivery. Stripe's truth (what a tie re-reads, what a refund or dispute event reads of its
 * charge) is each object's state after its last event. Random histories mix every kind of billing event; the named
 * histories are Stripe's own sequences (trials, dunning streaks, refunds, disputes) with the outcome each must reach.
 */

const HOUR = 3600;
const iso = (at: number) => new Date(at * 1000).toISOString();
const proSub = (status: SubscriptionStatus, at: number, extra: Partial<Step> = {}): Step =>
  ({
    kind: 'subscription',
    sub: 'sub_a',
    status,
    lookupKey: 'pro_monthly',
    periodStart: N - 5 * DAY,
    at,
    ...extra,
  }) as Step;
const invoice = (id: 'in_0' | 'in_1' | 'in_2' | 'in_p', outcome: 'paid' | 'failed', at: number): Step => ({
  kind: 'invoice',
  invoice: id,
  outcome,
  at,
});

/** A checkout with the 14-day trial 19 days ago: trialing, its $0 invoice, the trial ended 5 days ago. */
const TRIAL_STARTED: Step[] = [
  { kind: 'checkout', trialDays: 14, at: N - 19 * DAY },
  proSub('trialing', N - 19 * DAY, { type: 'created', periodStart: N - 19 * DAY, trialEnd: N - 5 * DAY }),
  invoice('in_0', 'paid', N - 19 * DAY),
];
/** Two paid months of pro: in_1 (charge ch_1) last month, in_2 (charge ch_2) for the current period. */
const TWO_PAID_MONTHS: Step[] = [
  proSub('active', N - 35 * DAY, { type: 'created', periodStart: N - 35 * DAY }),
  invoice('in_1', 'paid', N - 35 * DAY),
  proSub('active', N - 5 * DAY),
  invoice('in_2', 'paid', N - 5 * DAY),
];
/** Renewal 35 days ago failed and stayed unpaid; the renewal 5 days ago left it past_due and failed too. */
const STREAK_ACROSS_RENEWAL: Step[] = [
  proSub('active', N - 35 * DAY, { type: 'created', periodStart: N - 35 * DAY }),
  invoice('in_1', 'failed', N - 35 * DAY + HOUR),
  proSub('past_due', N - 35 * DAY + HOUR, { periodStart: N - 35 * DAY }),
  proSub('past_due', N - 5 * DAY),
  invoice('in_2', 'failed', N - 5 * DAY + HOUR),
];

const PRO_ACTIVE = { status: 'active', plan: 'pro', entitled: true, groups: ['pro'], paymentReversal: null };
const revoked = (reason: 'refund' | 'dispute') => ({
  status: 'revoked',
  plan: 'free',
  entitled: false,
  groups: ['free'],
  paymentReversal: { action: 'revoked', reason, chargeId: 'ch_2' },
});

const NAMED: [string, Step[], Record<string, unknown>, boolean][] = [
  [
    'trial running: checkout trial, trialing, $0 invoice',
    [
      { kind: 'checkout', trialDays: 14, at: N - 2 * DAY },
      proSub('trialing', N - 2 * DAY, { type: 'created', periodStart: N - 2 * DAY, trialEnd: N + 12 * DAY }),
      invoice('in_0', 'paid', N - 2 * DAY),
    ],
    { status: 'trialing', plan: 'pro', entitled: true, trialEndsAt: iso(N + 12 * DAY) },
    true,
  ],
  [
    'trialing -> active: the first invoice paid at the trial end',
    [...TRIAL_STARTED, proSub('active', N - 5 * DAY, { trialEnd: N - 5 * DAY }), invoice('in_2', 'paid', N - 5 * DAY)],
    { ...PRO_ACTIVE, trialEndsAt: null },
    true,
  ],
  [
    'trial ended without a card: canceled (missing_payment_method cancel)',
    [
      ...TRIAL_STARTED,
      proSub('canceled', N - 5 * DAY, { type: 'deleted', periodStart: N - 19 * DAY, trialEnd: N - 5 * DAY }),
    ],
    { status: 'canceled', plan: 'free', entitled: false, groups: ['free'] },
    true,
  ],
  [
    'trial ended without a card: paused (missing_payment_method pause)',
    [
      ...TRIAL_STARTED,
      proSub('paused', N - 5 * DAY, { type: 'paused', periodStart: N - 19 * DAY, trialEnd: N - 5 * DAY }),
    ],
    { status: 'paused', plan: 'free', entitled: false, groups: ['free'] },
    true,
  ],
  [
    'dunning: the renewal failed an hour in, within grace',
    [
      ...TWO_PAID_MONTHS.slice(0, 3),
      invoice('in_2', 'failed', N - 5 * DAY + HOUR),
      proSub('past_due', N - 5 * DAY + HOUR),
    ],
    { status: 'past_due', plan: 'pro', entitled: true, graceEndsAt: iso(N + 2 * DAY + HOUR) },
    false,
  ],
  [
    'dunning: retries of the renewal invoice keep its first failure',
    [
      ...TWO_PAID_MONTHS.slice(0, 3),
      invoice('in_2', 'failed', N - 5 * DAY + HOUR),
      proSub('past_due', N - 5 * DAY + HOUR),
      invoice('in_2', 'failed', N - 2 * DAY),
      invoice('in_2', 'failed', N - HOUR),
    ],
    { status: 'past_due', plan: 'pro', entitled: true, graceEndsAt: iso(N + 2 * DAY + HOUR) },
    false,
  ],
  [
    'dunning: a streak across a renewal gets no second grace',
    STREAK_ACROSS_RENEWAL,
    { status: 'expired', plan: 'free', entitled: false, groups: ['free'] },
    false,
  ],
  [
    'dunning: a payment ends the streak',
    [...STREAK_ACROSS_RENEWAL, invoice('in_2', 'paid', N - DAY), proSub('active', N - DAY)],
    { ...PRO_ACTIVE, graceEndsAt: null },
    false,
  ],
  [
    'dunning: a mid-period failure (proration, day 22) gets the full grace',
    [
      proSub('active', N - 25 * DAY, { type: 'created', periodStart: N - 25 * DAY }),
      invoice('in_1', 'paid', N - 25 * DAY),
      invoice('in_p', 'failed', N - 3 * DAY),
      proSub('past_due', N - 3 * DAY, { periodStart: N - 25 * DAY }),
    ],
    { status: 'past_due', plan: 'pro', entitled: true, graceEndsAt: iso(N + 4 * DAY) },
    false,
  ],
  [
    'refund: full refund of the charge that paid the latest invoice revokes',
    [...TWO_PAID_MONTHS, { kind: 'refund', charge: 'ch_2', how: 'full', at: N - DAY }],
    revoked('refund'),
    false,
  ],
  [
    'refund: a partial refund keeps access',
    [...TWO_PAID_MONTHS, { kind: 'refund', charge: 'ch_2', how: 'partial', at: N - DAY }],
    PRO_ACTIVE,
    false,
  ],
  [
    'refund: refund.failed gives access back',
    [
      ...TWO_PAID_MONTHS,
      { kind: 'refund', charge: 'ch_2', how: 'full', at: N - DAY },
      { kind: 'refund', charge: 'ch_2', how: 'failed', at: N - DAY + HOUR },
    ],
    PRO_ACTIVE,
    false,
  ],
  [
    "refund: a goodwill refund of last month's charge keeps access",
    [...TWO_PAID_MONTHS, { kind: 'refund', charge: 'ch_1', how: 'full', at: N - DAY }],
    PRO_ACTIVE,
    false,
  ],
  [
    'refund: a full refund of a one-off charge keeps access',
    [...TWO_PAID_MONTHS, { kind: 'refund', charge: 'ch_x', how: 'full', at: N - DAY }],
    PRO_ACTIVE,
    false,
  ],
  [
    'refund: a $0 invoice after it (proration credit, 100 % coupon) does not lift it',
    [
      ...TWO_PAID_MONTHS,
      { kind: 'refund', charge: 'ch_2', how: 'full', at: N - DAY },
      invoice('in_0', 'paid', N - HOUR),
    ],
    revoked('refund'),
    false,
  ],
  [
    'dispute: an open dispute keeps access',
    [...TWO_PAID_MONTHS, { kind: 'dispute', dispute: 'du_2', stage: 'created', at: N - DAY }],
    PRO_ACTIVE,
    false,
  ],
  [
    'dispute: created then lost revokes',
    [
      ...TWO_PAID_MONTHS,
      { kind: 'dispute', dispute: 'du_2', stage: 'created', at: N - 2 * DAY },
      { kind: 'dispute', dispute: 'du_2', stage: 'lost', at: N - DAY },
    ],
    revoked('dispute'),
    false,
  ],
  [
    'dispute: evidence, won, funds_reinstated keeps access',
    [
      ...TWO_PAID_MONTHS,
      { kind: 'dispute', dispute: 'du_2', stage: 'created', at: N - 3 * DAY },
      { kind: 'dispute', dispute: 'du_2', stage: 'updated', at: N - 2 * DAY },
      { kind: 'dispute', dispute: 'du_2', stage: 'won', at: N - DAY },
      { kind: 'dispute', dispute: 'du_2', stage: 'reinstated', at: N - DAY },
    ],
    PRO_ACTIVE,
    false,
  ],
  [
    'dispute: open then lost on a one-off charge keeps access',
    [
      ...TWO_PAID_MONTHS,
      { kind: 'dispute', dispute: 'du_x', stage: 'created', at: N - 2 * DAY },
      { kind: 'dispute', dispute: 'du_x', stage: 'lost', at: N - DAY },
    ],
    PRO_ACTIVE,
    false,
  ],
  [
    'dispute: a $0 invoice after the loss does not lift it',
    [
      ...TWO_PAID_MONTHS,
      { kind: 'dispute', dispute: 'du_2', stage: 'lost', at: N - DAY },
      invoice('in_0', 'paid', N - HOUR),
    ],
    revoked('dispute'),
    false,
  ],
];

describe('delivery order property (fast-check)', () => {
  it('random billing histories: any permutation with duplicates ends where in-order delivery ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArb(12).chain((steps) => fc.record({ steps: fc.constant(steps), delivery: deliveryArb(steps.length) })),
        async ({ steps, delivery }) => {
          // Prepare
          const history = historyOf(steps);

          // Act
          const inOrder = await deliver(history.events, history);
          const anyOrder = await deliver(delivered(history.events, delivery), history);

          // Assess
          expect(anyOrder).toEqual(inOrder);
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each(NAMED)('%s: in order, shuffled and duplicated', async (_name, steps, expected, trialUsed) => {
    // Prepare
    const history = historyOf(steps);

    // Act
    const inOrder = await deliver(history.events, history);

    // Assess
    expect(inOrder.entitlement).toMatchObject(expected);
    expect(inOrder.trialUsed).toBe(trialUsed);
    await fc.assert(
      fc.asyncProperty(deliveryArb(steps.length), async (delivery) => {
        expect(await deliver(delivered(history.events, delivery), history)).toEqual(inOrder);
      }),
      { numRuns: 10 },
    );
  });
});
