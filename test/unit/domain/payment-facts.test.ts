import { describe, expect, it } from 'vitest';
import {
  type ChargeFacts,
  type DisputeFacts,
  disputeOutcomeOf,
  type InvoiceFacts,
  latestPaidInvoice,
  mergeCharge,
  mergeDispute,
  mergeInvoice,
} from '../../../lambdas/domain/payment-facts';

const permutations = <T>(items: T[]): T[][] =>
  items.length <= 1
    ? [items]
    : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [item, ...p]));

/** Folds facts in every order: a register must end in the same value whatever the delivery order. */
function everyOrder<T>(seen: T[], merge: (stored: T | undefined, next: T) => T): T[] {
  return permutations(seen).map(
    (order) => order.reduce<T | undefined>((stored, next) => merge(stored, next), undefined) as T,
  );
}

describe('payment facts are registers: any delivery order ends in the same facts', () => {
  it.each<[string, DisputeFacts[], Partial<DisputeFacts>]>([
    [
      'opened, under review, won, funds reinstated',
      [
        { chargeId: 'ch', outcome: 'open', fundsReinstated: false, at: 1 },
        { chargeId: 'ch', outcome: 'open', fundsReinstated: false, at: 2 },
        { chargeId: 'ch', outcome: 'won', fundsReinstated: false, at: 3 },
        { chargeId: 'ch', outcome: 'won', fundsReinstated: true, at: 3 },
      ],
      { outcome: 'won', fundsReinstated: true },
    ],
    [
      'opened then lost in the same second',
      [
        { chargeId: 'ch', outcome: 'open', fundsReinstated: false, at: 5 },
        { chargeId: 'ch', outcome: 'lost', fundsReinstated: false, at: 5 },
      ],
      { outcome: 'lost', fundsReinstated: false },
    ],
  ])('dispute: %s', (_name, seen, expected) => {
    for (const result of everyOrder(seen, mergeDispute)) expect(result).toMatchObject(expected);
  });

  it('charge: the newest read wins (a refund that failed after an earlier read of it as refunded)', () => {
    const reads: ChargeFacts[] = [
      { invoiceId: 'in_1', amount: 900, amountRefunded: 900, readAt: 1000 },
      { invoiceId: 'in_1', amount: 900, amountRefunded: 0, readAt: 2000 },
    ];
    for (const result of everyOrder(reads, mergeCharge)) expect(result.amountRefunded).toBe(0);
  });

  it('invoice: paid and failed facts combine (first failure, first payment)', () => {
    const seen: Partial<InvoiceFacts>[] = [
      { subscriptionId: 'sub', firstFailedAt: 20 },
      { subscriptionId: 'sub', firstFailedAt: 10 },
      { subscriptionId: 'sub', paidAt: 30, amountPaid: 900 },
    ];
    const merge = (stored: InvoiceFacts | undefined, next: Partial<InvoiceFacts>) => mergeInvoice(stored, next);
    for (const order of permutations(seen)) {
      const result = order.reduce<InvoiceFacts | undefined>(merge, undefined);
      expect(result).toEqual({ subscriptionId: 'sub', paidAt: 30, amountPaid: 900, firstFailedAt: 10, closedAt: null });
    }
  });
});

describe('latestPaidInvoice: the newest non-zero payment of the subscription', () => {
  const paid = (subscriptionId: string, paidAt: number, amountPaid: number): InvoiceFacts => ({
    subscriptionId,
    paidAt,
    amountPaid,
    firstFailedAt: null,
    closedAt: null,
  });

  it.each([
    ['the newest by payment time', { a: paid('s', 1, 900), b: paid('s', 2, 900) }, 'b'],
    ['a $0 invoice never counts', { a: paid('s', 1, 900), b: paid('s', 2, 0) }, 'a'],
    ["another subscription's does not count", { a: paid('s', 1, 900), b: paid('t', 2, 900) }, 'a'],
    ['an unpaid invoice does not count', { a: paid('s', 1, 900), b: { ...paid('s', 2, 900), paidAt: null } }, 'a'],
    ['same second: the larger id', { a: paid('s', 2, 900), b: paid('s', 2, 900) }, 'b'],
    ['none', { b: paid('s', 2, 0) }, undefined],
  ])('%s', (_name, invoices, expected) => {
    expect(latestPaidInvoice(invoices, 's')?.id).toBe(expected);
  });
});

describe('dispute statuses', () => {
  it.each([
    ['warning_needs_response', 'open'],
    ['needs_response', 'open'],
    ['under_review', 'open'],
    ['won', 'won'],
    ['warning_closed', 'won'],
    ['prevented', 'won'],
    ['lost', 'lost'],
  ])('%s -> %s', (status, outcome) => {
    expect(disputeOutcomeOf(status)).toBe(outcome);
  });
});
