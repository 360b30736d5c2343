/**
 * The audit trail of credits: one AuditLog entry per change of a balance (a pack credited, credits consumed, a
 * refunded or disputed pack debited). The entry's key is derived from the change itself, so re-putting it (a
 * redelivery, a replayed request, the next write flushing what an earlier one left pending) never duplicates it.
 * Pure module.
 */

export type CreditChangeType = 'credits.granted' | 'credits.consumed' | 'credits.reversed';

export interface CreditAuditEntry {
  /** The user (AuditLog partition key). */
  userId: string;
  /** `${changedAt}#credits#${ref}` (AuditLog sort key). */
  entryId: string;
  eventType: CreditChangeType;
  /** The Stripe event behind a grant or reversal; absent for a consumption. */
  eventId?: string;
  /** What changed the balance: the Checkout Session credited, the idempotency key consumed, the charge reversed. */
  ref: string;
  /** Signed change of the balance. */
  credits: number;
  balanceBefore: number;
  balanceAfter: number;
  /** The ledger version this change wrote. */
  ledgerVersion: number;
  recordedAt: string;
  /** The pack of a grant or reversal. */
  pack?: string;
}

export interface CreditChange {
  sub: string;
  type: CreditChangeType;
  ref: string;
  credits: number;
  balanceBefore: number;
  ledgerVersion: number;
  at: Date;
  eventId?: string;
  pack?: string;
}

export function creditAuditEntry(change: CreditChange): CreditAuditEntry {
  const at = change.at.toISOString();
  return {
    userId: change.sub,
    entryId: `${at}#credits#${change.ref}`,
    eventType: change.type,
    ...(change.eventId ? { eventId: change.eventId } : {}),
    ref: change.ref,
    credits: change.credits,
    balanceBefore: change.balanceBefore,
    balanceAfter: change.balanceBefore + change.credits,
    ledgerVersion: change.ledgerVersion,
    recordedAt: at,
    ...(change.pack ? { pack: change.pack } : {}),
  };
}
