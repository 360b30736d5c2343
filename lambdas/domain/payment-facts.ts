/**
 * What the webhook keeps about a customer's money, per Stripe object, to decide refunds, disputes and dunning
 * grace: invoices (paid, failed, closed), charges (refunded amount, the invoice they paid) and disputes. Every
 * field is a register that only moves one way (min, max, or newest by time), so any delivery order of the same
 * events keeps the same facts. Pure module.
 */

/** What a stage does when the charge that paid the current period is fully refunded or lost in a dispute. */
export const PAYMENT_REVERSAL_ACTIONS = ['revoke', 'flag', 'ignore'] as const;
export type PaymentReversalAction = (typeof PAYMENT_REVERSAL_ACTIONS)[number];

export interface InvoiceFacts {
  subscriptionId: string | null;
  /** Paid with a non-zero amount: when (epoch s) and how much (cents). $0 invoices are never kept as paid. */
  paidAt: number | null;
  amountPaid: number | null;
  /** The first failed payment attempt of this invoice (epoch s): where an unpaid streak starts. */
  firstFailedAt: number | null;
  /** Voided or marked uncollectible (epoch s): no longer owed. */
  closedAt: number | null;
}

export interface ChargeFacts {
  /** The invoice this charge paid, null for a one-off payment (no invoice). */
  invoiceId: string | null;
  amount: number;
  amountRefunded: number;
  /** When Stripe was read for these values (epoch ms): the newest read wins. */
  readAt: number;
}

export type DisputeOutcome = 'open' | 'won' | 'lost';

export interface DisputeFacts {
  chargeId: string;
  outcome: DisputeOutcome;
  /** `charge.dispute.funds_reinstated`: the money came back (a won dispute or a withdrawn inquiry). */
  fundsReinstated: boolean;
  /** `created` of the newest event that set `outcome`. */
  at: number;
}

/** One read of a charge from Stripe: its amounts and the invoice it paid (through Stripe's invoice payments). */
export interface ChargeRead {
  chargeId: string;
  customerId: string | null;
  amount: number;
  amountRefunded: number;
  invoice: { id: string; subscriptionId: string | null; amountPaid: number; paidAt: number | null } | null;
  /** When it was read (epoch ms), set by the webhook: the newest read of a charge wins. */
  readAt: number;
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

export function emptyInvoiceFacts(): InvoiceFacts {
  return { subscriptionId: null, paidAt: null, amountPaid: null, firstFailedAt: null, closedAt: null };
}

/** Merges what one event (or read) says about an invoice into what was known. */
export function mergeInvoice(stored: InvoiceFacts | undefined, seen: Partial<InvoiceFacts>): InvoiceFacts {
  const base = stored ?? emptyInvoiceFacts();
  return {
    subscriptionId: base.subscriptionId ?? seen.subscriptionId ?? null,
    paidAt: minOf(base.paidAt, seen.paidAt ?? null),
    amountPaid: maxOf(base.amountPaid, seen.amountPaid ?? null),
    firstFailedAt: minOf(base.firstFailedAt, seen.firstFailedAt ?? null),
    closedAt: minOf(base.closedAt, seen.closedAt ?? null),
  };
}

/** The newer read of a charge wins; at the same instant the larger refunded amount (reads at one instant agree). */
export function mergeCharge(stored: ChargeFacts | undefined, read: ChargeFacts): ChargeFacts {
  if (!stored) return read;
  if (read.readAt !== stored.readAt) return read.readAt > stored.readAt ? read : stored;
  return read.amountRefunded > stored.amountRefunded ? read : stored;
}

const OUTCOME_RANK: Record<DisputeOutcome, number> = { open: 0, won: 1, lost: 1 };

/** A closed dispute beats an open one; between two closings the newer, at the same second a loss. */
export function mergeDispute(stored: DisputeFacts | undefined, seen: DisputeFacts): DisputeFacts {
  const fundsReinstated = (stored?.fundsReinstated ?? false) || seen.fundsReinstated;
  if (!stored) return { ...seen, fundsReinstated };
  const rank = OUTCOME_RANK[seen.outcome] - OUTCOME_RANK[stored.outcome];
  let winner = stored;
  if (rank > 0) winner = seen;
  else if (rank === 0 && seen.at > stored.at) winner = seen;
  else if (rank === 0 && seen.at === stored.at && seen.outcome === 'lost') winner = seen;
  return { ...winner, fundsReinstated, at: Math.max(stored.at, seen.at) };
}

/** Stripe dispute statuses -> outcome. `warning_closed` and `prevented` end without a chargeback. */
export function disputeOutcomeOf(status: string): DisputeOutcome {
  if (status === 'lost') return 'lost';
  if (status === 'won' || status === 'warning_closed' || status === 'prevented') return 'won';
  return 'open';
}

/** The newest paid invoice of a subscription with a non-zero amount, by payment time (then id). */
export function latestPaidInvoice(
  invoices: Readonly<Record<string, InvoiceFacts>>,
  subscriptionId: string,
): { id: string; facts: InvoiceFacts } | undefined {
  let latest: { id: string; facts: InvoiceFacts } | undefined;
  for (const [id, facts] of Object.entries(invoices)) {
    if (facts.subscriptionId !== subscriptionId || facts.paidAt === null || !facts.amountPaid) continue;
    const paidAt = facts.paidAt;
    if (!latest || paidAt > (latest.facts.paidAt ?? 0) || (paidAt === latest.facts.paidAt && id > latest.id)) {
      latest = { id, facts };
    }
  }
  return latest;
}

export interface Reversal {
  reason: 'refund' | 'dispute';
  chargeId: string;
  invoiceId: string;
}

/**
 * Whether the money for a subscription's current access was taken back: the charge that paid its latest non-zero
 * invoice is fully refunded, or lost in a dispute whose funds were not reinstated. Partial refunds, older invoices,
 * one-off charges and open disputes never count; a later paid invoice ends it (it becomes the latest).
 */
export function reversalOf(
  subscriptionId: string,
  billing: {
    invoices: Readonly<Record<string, InvoiceFacts>>;
    charges: Readonly<Record<string, ChargeFacts>>;
    disputes: Readonly<Record<string, DisputeFacts>>;
  },
): Reversal | undefined {
  const latest = latestPaidInvoice(billing.invoices, subscriptionId);
  if (!latest) return undefined;
  const charges = Object.entries(billing.charges)
    .filter(([, charge]) => charge.invoiceId === latest.id)
    .sort(([a], [b]) => a.localeCompare(b));
  for (const [chargeId, charge] of charges) {
    const lost = Object.values(billing.disputes).some(
      (dispute) => dispute.chargeId === chargeId && dispute.outcome === 'lost' && !dispute.fundsReinstated,
    );
    if (lost) return { reason: 'dispute', chargeId, invoiceId: latest.id };
    if (charge.amount > 0 && charge.amountRefunded >= charge.amount) {
      return { reason: 'refund', chargeId, invoiceId: latest.id };
    }
  }
  return undefined;
}

/**
 * When a subscription's current unpaid streak started: the first failed payment of its invoices still owed (not
 * paid, voided or uncollectible) that failed after its last non-zero payment. Renewals during the streak add later
 * failures and do not move it; a payment ends it. Undefined when no such failure is known (the caller falls back).
 */
export function unpaidStreakStart(
  subscriptionId: string,
  invoices: Readonly<Record<string, InvoiceFacts>>,
): number | undefined {
  const lastPayment = latestPaidInvoice(invoices, subscriptionId)?.facts.paidAt ?? null;
  let start: number | undefined;
  for (const facts of Object.values(invoices)) {
    if (facts.subscriptionId !== subscriptionId || facts.firstFailedAt === null) continue;
    if (facts.paidAt !== null || facts.closedAt !== null) continue;
    if (lastPayment !== null && facts.firstFailedAt <= lastPayment) continue;
    start = start === undefined ? facts.firstFailedAt : Math.min(start, facts.firstFailedAt);
  }
  return start;
}
