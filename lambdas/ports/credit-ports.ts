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
