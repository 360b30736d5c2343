import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BillingState, emptyBillingState } from '../../../lambdas/domain/billing-state';
import { type EntitlementRecord, initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { computeEntitlement, keepRunningNoCardTrial } from '../../../lambdas/domain/entitlement-policy';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { EntitlementPolicy } from '../../../lambdas/domain/policy-settings';
import { type SubscriptionStatusView, statusView } from '../../../lambdas/domain/status-view';
import type { SubscriptionSnapshot } from '../../../lambdas/domain/subscription-snapshot';
import { startTrialRecord } from '../../../lambdas/domain/trial';

/**
 * docs/access-rules.md stays true: every row names tests that exist, and every row the pure policy decides on its own
 * is built here and checked against the row's Access, Status shown and Also shown.
 */

const ROOT = join(__dirname, '..', '..', '..');
const catalog = PlanCatalog.defaults();
const DAY = 86_400;
const T = Date.parse('2026-03-01T00:00:00Z') / 1000;
const NOW = new Date(T * 1000);
const POLICY: EntitlementPolicy = { gracePeriodDays: 7, paymentReversal: 'revoke', pausedCollection: 'keep' };

interface Row {
  situation: string;
  access: string;
  status: string;
  alsoShown: string;
  changedBy: string;
  tests: string;
}

function rowsOf(markdown: string): Row[] {
  const lines = markdown.split('\n').filter((line) => line.startsWith('| '));
  const [header, , ...body] = lines;
  expect(header).toMatch(
    /^\| Situation \| Access \| Status shown \| Also shown \| Changed by \| Tested end to end in \|$/,
  );
  return body.map((line) => {
    const cells = line.slice(2, -2).split(' | ');
    expect(cells, line).toHaveLength(6);
    const [situation = '', access = '', status = '', alsoShown = '', changedBy = '', tests = ''] = cells;
    return { situation, access, status, alsoShown, changedBy, tests };
  });
}

const ROWS = rowsOf(readFileSync(join(ROOT, 'docs', 'access-rules.md'), 'utf8'));

// --- the situations, built for the pure policy (one pro subscription; current period T-5d .. T+25d) ---

const sub = (overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot => ({
  id: 'sub_a',
  status: 'active',
  plan: 'pro',
  priceLabel: 'pro_monthly',
  currentPeriodStart: T - 5 * DAY,
  currentPeriodEnd: T + 25 * DAY,
  trialEnd: null,
  cancelAtPeriodEnd: false,
  eventCreated: T - 5 * DAY,
  eventId: 'evt_a',
  ...overrides,
});
const paid = (at: number, amountPaid = 2900) => ({
  subscriptionId: 'sub_a',
  paidAt: at,
  amountPaid,
  firstFailedAt: null,
  closedAt: null,
});
const failed = (at: number) => ({ ...paid(at), paidAt: null, amountPaid: null, firstFailedAt: at });
/** sub_a paid in_1 (ch_1, last period) and in_2 (ch_2, this period); ch_x is a one-off charge. */
const billing = (change: Partial<BillingState> = {}): BillingState => ({
  ...emptyBillingState(),
  invoices: { in_1: paid(T - 35 * DAY), in_2: paid(T - 5 * DAY) },
  charges: {
    ch_1: { invoiceId: 'in_1', amount: 2900, amountRefunded: 0, readAt: 1 },
    ch_2: { invoiceId: 'in_2', amount: 2900, amountRefunded: 0, readAt: 1 },
    ch_x: { invoiceId: null, amount: 4900, amountRefunded: 0, readAt: 1 },
  },
  ...change,
});
const refunded = (charge: 'ch_1' | 'ch_2' | 'ch_x', amountRefunded: number) => {
  const state = billing();
  const before = state.charges[charge];
  if (!before) throw new Error(charge);
  return { ...state, charges: { ...state.charges, [charge]: { ...before, amountRefunded } } };
};
const disputed = (chargeId: string, outcome: 'open' | 'won' | 'lost', state = billing()) => ({
  ...state,
  disputes: { du: { chargeId, outcome, fundsReinstated: outcome === 'won', at: T - DAY } },
});

function view(
  subscriptions: SubscriptionSnapshot[],
  state: BillingState = billing(),
  policy: EntitlementPolicy = POLICY,
  stored?: EntitlementRecord,
): SubscriptionStatusView {
  const base = stored ?? initialEntitlementRecord(catalog, { sub: 'user-1' }, NOW);
  const computed = computeEntitlement(subscriptions, catalog, NOW, policy, state);
  const entitlement = keepRunningNoCardTrial(base, computed, subscriptions, NOW);
  return statusView({ ...base, ...entitlement }, entitlement.groups, catalog, NOW);
}
const noCardTrial = (startedAt: number) =>
  startTrialRecord(initialEntitlementRecord(catalog, { sub: 'user-1' }, NOW), catalog, new Date(startedAt * 1000));
const trialing = (trialEnd: number) =>
  sub({ status: 'trialing', trialEnd, currentPeriodStart: trialEnd - 14 * DAY, currentPeriodEnd: trialEnd });
const afterTrial = { trialEnd: T - 5 * DAY };

const SCENARIOS: Record<string, () => SubscriptionStatusView> = {
  'Signed up, never subscribed': () => view([]),
  'No-card trial running (`POST /subscription/trial`)': () => view([], billing(), POLICY, noCardTrial(T - DAY)),
  'No-card trial ended': () => view([], billing(), POLICY, noCardTrial(T - 15 * DAY)),
  "Stripe trial running (Checkout's trial, first purchase only)": () => view([trialing(T + 9 * DAY)], billing({})),
  'Stripe trial ended with a card: the first invoice is paid': () => view([sub(afterTrial)]),
  'Stripe trial ended without a card, Stripe cancels it (`missing_payment_method: cancel`)': () =>
    view([{ ...trialing(T - 5 * DAY), status: 'canceled' }], emptyBillingState()),
  'Stripe trial ended without a card, Stripe pauses it (`missing_payment_method: pause`)': () =>
    view([{ ...trialing(T - 5 * DAY), status: 'paused' }], emptyBillingState()),
  'Paid and renewing': () => view([sub()]),
  'A payment failed (a renewal, or mid-period such as an upgrade), within the grace days counted from the first failed payment of the unpaid streak':
    () =>
      view(
        [sub({ status: 'past_due' })],
        billing({ invoices: { in_1: paid(T - 35 * DAY), in_p: failed(T - 3 * DAY) } }),
      ),
  'Still unpaid after the grace days (a renewal during the streak does not restart them)': () =>
    view(
      [sub({ status: 'past_due' })],
      billing({ invoices: { in_1: failed(T - 35 * DAY), in_2: failed(T - 5 * DAY) } }),
    ),
  'The unpaid invoice is paid (a retry or a new card)': () =>
    view([sub()], billing({ invoices: { in_1: { ...failed(T - 8 * DAY), paidAt: T - DAY, amountPaid: 2900 } } })),
  "Stripe gave up retrying and left it `unpaid` (the account's dunning setting)": () =>
    view([sub({ status: 'unpaid' })]),
  'Cancelled at the period end, before that date': () =>
    view([sub({ cancelAtPeriodEnd: true, cancelAt: T + 25 * DAY })]),
  'Cancelled for a later date (`cancel_at` beyond this period), before that date, across renewals': () =>
    view([sub({ cancelAt: T + 40 * DAY, currentPeriodStart: T - 35 * DAY, currentPeriodEnd: T - 5 * DAY })]),
  'The cancellation date passed, or cancelled at once (by the user, or by Stripe after the last failed retry)': () =>
    view([sub({ cancelAt: T - DAY })]),
  'Payment collection paused (`pause_collection`: Stripe bills nothing, status stays active)': () =>
    view([sub({ pauseCollection: { behavior: 'void', resumesAt: null } })]),
  'Payment collection paused, stage set to revoke': () =>
    view([sub({ pauseCollection: { behavior: 'void', resumesAt: null } })], billing(), {
      ...POLICY,
      pausedCollection: 'revoke',
    }),
  'Full refund of the charge that paid the current period': () => view([sub()], refunded('ch_2', 2900)),
  'Full refund of the charge that paid the current period, stage set to flag': () =>
    view([sub()], refunded('ch_2', 2900), { ...POLICY, paymentReversal: 'flag' }),
  'Partial refund, a refund of an earlier period (goodwill), or of a one-off charge': () =>
    [view([sub()], refunded('ch_2', 1000)), view([sub()], refunded('ch_1', 2900))].find((v) => !v.entitled) ??
    view([sub()], refunded('ch_x', 4900)),
  'A full refund that fails afterwards (`refund.failed`)': () => view([sub()], refunded('ch_2', 0)),
  'Dispute open, or won (funds reinstated)': () =>
    [view([sub()], disputed('ch_2', 'open'))].find((v) => !v.entitled) ?? view([sub()], disputed('ch_2', 'won')),
  'Dispute lost on the charge that paid the current period': () => view([sub()], disputed('ch_2', 'lost')),
  'Dispute open or lost on a one-off charge': () =>
    [view([sub()], disputed('ch_x', 'open'))].find((v) => !v.entitled) ?? view([sub()], disputed('ch_x', 'lost')),
  'A $0 invoice after a full refund or lost dispute (a credit, a 100 % coupon, a $0 price)': () => {
    const withZero = (state: BillingState) => ({ ...state, invoices: { ...state.invoices, in_0: paid(T - DAY, 0) } });
    const afterDispute = view([sub()], withZero(disputed('ch_2', 'lost')));
    return afterDispute.entitled ? afterDispute : view([sub()], withZero(refunded('ch_2', 2900)));
  },
  'The next non-zero payment after a full refund or lost dispute': () => {
    const state = refunded('ch_2', 2900);
    return view([sub()], { ...state, invoices: { ...state.invoices, in_3: paid(T - DAY) } });
  },
  'Checkout not paid (yet)': () => view([sub({ status: 'incomplete' })]),
  'The Stripe customer was deleted': () => view([sub()], billing({ customerDeletedAt: T })),
  'An operator granted a plan (an override, with a reason), until its end date': () => {
    const at = (epoch: number) => new Date(epoch * 1000).toISOString();
    const override = {
      plan: 'business' as const,
      endsAt: at(T + 10 * DAY),
      reason: 'partner',
      operator: { sub: 'op' },
    };
    const stored = initialEntitlementRecord(catalog, { sub: 'user-1' }, NOW);
    return view([sub({ status: 'canceled' })], billing(), POLICY, {
      ...stored,
      override: { ...override, grantedAt: at(T - DAY) },
    });
  },
};

/** Rows the policy alone cannot build, and where they are covered instead. */
const NOT_POLICY_ALONE: Record<string, string> = {
  'A second trial is asked for (after any trial, no-card or Stripe, also on an earlier account with the same email)':
    'checkout and the no-card trial route decide it (trial marks on the record and the email)',
  'The price moved in Stripe (`transfer_lookup_key`), or a price is missing from the catalog (alarmed)':
    'the plan memory learns from event histories: test/unit/domain/plan-mapping.test.ts',
  'Two subscriptions': 'several subscriptions: the policy table test "computeEntitlement: several subscriptions"',
  'A Stripe event our code cannot read (Stripe changed a field)': 'the webhook delivery parks it before any policy',
};

/** "no (`free`)", "yes (`trial`: ...)", "yes (the plan bought)": entitled and, when named, the plan. */
function expectAccess(row: Row, shown: SubscriptionStatusView) {
  expect(shown.entitled, 'Access').toBe(row.access.startsWith('yes'));
  const named = /^(?:yes|no) \(`(\w+)`/.exec(row.access)?.[1];
  if (named) expect(shown.plan, 'Access plan').toBe(named);
  else expect(shown.plan, 'Access plan').toBe('pro');
}

/** "`trialEndsAt`" must be set; "`revokedReason: refund`" must have that value; "—" names nothing. */
function expectAlsoShown(row: Row, shown: SubscriptionStatusView) {
  for (const [, field = '', value] of row.alsoShown.matchAll(/`(\w+)(?:: (\w+))?`/g)) {
    const actual = (shown as unknown as Record<string, unknown>)[field];
    if (value === undefined) expect(actual ?? false, `Also shown ${field}`).toBeTruthy();
    else expect(String(actual), `Also shown ${field}`).toBe(value);
  }
}

describe('docs/access-rules.md', () => {
  it('has one row per situation, each either built for the policy here or listed with why not', () => {
    const situations = ROWS.map((row) => row.situation);
    expect(new Set(situations).size).toBe(situations.length);
    expect([...situations].sort()).toEqual([...Object.keys(SCENARIOS), ...Object.keys(NOT_POLICY_ALONE)].sort());
  });

  it.each(ROWS.map((row) => [row.situation, row] as const))('names tests that exist: %s', (_situation, row) => {
    const named = [...row.tests.matchAll(/`(test\/[^`]+\.test\.ts)` "([^"]+)"/g)];
    expect(named.length, row.tests).toBeGreaterThan(0);
    for (const [, file = '', title = ''] of named) {
      const path = join(ROOT, file);
      expect(existsSync(path), file).toBe(true);
      expect(readFileSync(path, 'utf8').includes(title), `${file} has a test titled with "${title}"`).toBe(true);
    }
  });

  it.each(ROWS.map((row) => [row.situation, row] as const))('names settings that exist: %s', (_situation, row) => {
    const config = readFileSync(join(ROOT, 'lambdas', 'platform', 'config.ts'), 'utf8');
    for (const [, variable = ''] of row.changedBy.matchAll(/`([A-Z_]+)(?:=\w+)?`/g)) {
      expect(config.includes(`${variable}:`), variable).toBe(true);
    }
  });

  it.each(ROWS.filter((row) => SCENARIOS[row.situation]).map((row) => [row.situation, row] as const))(
    'is what the policy decides: %s',
    (situation, row) => {
      // Act
      const shown = SCENARIOS[situation]?.();
      if (!shown) throw new Error(situation);

      // Assess
      expectAccess(row, shown);
      expect(shown.status, 'Status shown').toBe(/^`(\w+)`$/.exec(row.status)?.[1]);
      expectAlsoShown(row, shown);
    },
  );
});
