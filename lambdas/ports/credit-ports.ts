import type { CreditAuditEntry } from '../domain/credit-audit';
import type { CreditLedger } from '../domain/credit-ledger';
import type { WriteOutcome } from './app-ports';

/** The Credits table: one ledger per user, written only with a version condition. */
export interface CreditLedgerStore {
  get(sub: string): Promise<CreditLedger | undefined>;
  /**
   * Single conditional write: succeeds only if the stored `version` equals `expectedVersion` (or no ledger exists
   * when it is null). The caller re-reads and retries on `conflict`.
   */
  writeIfVersion(ledger: CreditLedger, expectedVersion: number | null): Promise<WriteOutcome>;
}

/** The AuditLog, for credit changes: a put conditional on the entry's key (a re-put changes nothing). */
export interface CreditAuditLog {
  append(entry: CreditAuditEntry): Promise<void>;
}

/** What every credit change needs: the ledger and the audit trail. */
export interface CreditBook {
  ledger: CreditLedgerStore;
  audit: CreditAuditLog;
}

/** Account deletion: the user's ledger goes with the account (a ledger already gone is not an error). */
export interface CreditCleanup {
  remove(sub: string): Promise<void>;
}
