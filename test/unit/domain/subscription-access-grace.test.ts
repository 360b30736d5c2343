import { describe, expect, it } from 'vitest';
import { emptyBillingState } from '../../../lambdas/domain/billing-state';
import { computeEntitlement } from '../../../lambdas/domain/entitlement-policy';
import type { InvoiceFacts } from '../../../lambdas/domain/payment-facts';
import { catalog, day, periodStart, policy, snapshot } from './subscription-fixtures';

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
