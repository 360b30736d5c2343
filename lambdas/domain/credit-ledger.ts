/**
 * A user's credit balance and how it came to be: one record per user (the Credits table), changed only by pure
 * steps here and written with a version guard, so a redelivered or reordered Stripe event never credits twice.
 * Pure module.
 */

import { type CreditAuditEntry, creditAuditEntry } from './credit-audit';

/** One credited Checkout Session (the key of its grant: a session is credited at most once). */
export interface CreditGrant {
  credits: number;
  pack: string;
  quantity: number;
  /** The PaymentIntent that paid it (a refund or dispute of its charge debits the grant). */
  paymentIntentId: string | null;
  /** The Stripe event that credited it, and when (ISO). */
  eventId: string;
  grantedAt: string;
}

/** What one successful consumption (POST /credits/consume) answered, kept under its idempotency key. */
export interface Consumption {
  amount: number;
  balanceAfter: number;
  /** ISO time of the debit. */
  at: string;
}

export interface CreditLedger {
  sub: string;
  balance: number;
  /** Increases with every write; the write is conditional on the version read. */
  version: number;
  /** Checkout Session id -> its grant. */
  grants: Record<string, CreditGrant>;
  updatedAt: string;
  /**
   * The audit entry of the last change, written with it: put to the AuditLog after the write and again (a
   * conditional put, never duplicated) before the next write replaces it, so a crash between the two loses none.
   */
  pendingAudit?: CreditAuditEntry[];
  /** Consumptions of the last 24 hours by idempotency key (domain/credit-consumption.ts). */
  consumed?: Record<string, Consumption>;
}

/** What a paid pack checkout sells, from its session (metadata pinned at sale by our checkout). */
export interface PackSale {
  sessionId: string;
  pack: string;
  quantity: number;
  credits: number;
  paymentIntentId: string | null;
}

export type GrantStep =
  | { kind: 'granted'; ledger: CreditLedger; grant: CreditGrant; audit: CreditAuditEntry }
  | { kind: 'already-granted' };

export function emptyLedger(sub: string, now: Date): CreditLedger {
  return { sub, balance: 0, version: 0, grants: {}, updatedAt: now.toISOString() };
}

/** Credits a paid sale once: a session already granted changes nothing, whatever the event that brings it. */
export function grantSale(ledger: CreditLedger, sale: PackSale, eventId: string, now: Date): GrantStep {
  if (ledger.grants[sale.sessionId]) return { kind: 'already-granted' };
  const grant: CreditGrant = {
    credits: sale.credits,
    pack: sale.pack,
    quantity: sale.quantity,
    paymentIntentId: sale.paymentIntentId,
    eventId,
    grantedAt: now.toISOString(),
  };
  const audit = creditAuditEntry({
    sub: ledger.sub,
    type: 'credits.granted',
    ref: sale.sessionId,
    credits: sale.credits,
    balanceBefore: ledger.balance,
    ledgerVersion: ledger.version + 1,
    at: now,
    eventId,
    pack: sale.pack,
  });
  return {
    kind: 'granted',
    grant,
    audit,
    ledger: {
      ...ledger,
      balance: ledger.balance + sale.credits,
      version: ledger.version + 1,
      grants: { ...ledger.grants, [sale.sessionId]: grant },
      updatedAt: now.toISOString(),
      pendingAudit: [audit],
    },
  };
}

/**
 * The sale a checkout session's metadata records (our checkout writes `credit_pack`, `quantity`, `credits`), or
 * null when it is not a well-formed pack sale (a session made elsewhere: nothing to credit).
 */
export function packSaleOf(
  sessionId: string,
  metadata: Record<string, string> | null | undefined,
  paymentIntentId: string | null,
): PackSale | null {
  const pack = metadata?.credit_pack;
  const credits = Number(metadata?.credits);
  const quantity = Number(metadata?.quantity ?? '1');
  if (!pack || !Number.isSafeInteger(credits) || credits <= 0 || !Number.isSafeInteger(quantity) || quantity < 1) {
    return null;
  }
  return { sessionId, pack, quantity, credits, paymentIntentId };
}
