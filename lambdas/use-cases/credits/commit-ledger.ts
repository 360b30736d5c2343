import type { CreditAuditEntry } from '../../domain/credit-audit';
import type { CreditLedger } from '../../domain/credit-ledger';
import type { WriteOutcome } from '../../ports/app-ports';
import type { CreditBook } from '../../ports/credit-ports';

/**
 * Writes a ledger change with its audit entry, without transactions: the entries an earlier write left pending are
 * put first (they may already be there: the put is conditional on the key), then the ledger carrying this change's
 * entry is written conditional on the version read, then that entry is put. A crash after the write leaves the
 * entry pending on the ledger, put by the next write (or the retry of this one).
 */
export async function commitLedger(
  book: CreditBook,
  stored: CreditLedger | undefined,
  next: CreditLedger & { pendingAudit: CreditAuditEntry[] },
): Promise<WriteOutcome> {
  for (const carried of stored?.pendingAudit ?? []) await book.audit.append(carried);
  const outcome = await book.ledger.writeIfVersion(next, stored ? stored.version : null);
  if (outcome === 'written') for (const entry of next.pendingAudit) await book.audit.append(entry);
  return outcome;
}

/** A retried change already on the ledger re-puts its own pending entry (the first attempt's put may have failed). */
export async function reputPending(book: CreditBook, stored: CreditLedger, ref: string): Promise<void> {
  for (const entry of stored.pendingAudit ?? []) if (entry.ref === ref) await book.audit.append(entry);
}
