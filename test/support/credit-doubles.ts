import type { CreditAuditEntry } from '../../lambdas/domain/credit-audit';
import type { CreditLedger } from '../../lambdas/domain/credit-ledger';
import type { WriteOutcome } from '../../lambdas/ports/app-ports';
import type { CreditAuditLog, CreditBook, CreditCleanup, CreditLedgerStore } from '../../lambdas/ports/credit-ports';

/**
 * In-memory credit ledgers with the adapters' semantics: writes conditional on the version read; `remove` (account
 * deletion) tolerates an absent ledger.
 */
export class MemoryCreditLedgers implements CreditLedgerStore, CreditCleanup {
  readonly items = new Map<string, CreditLedger>();
  writes = 0;
  /** Set to make every call fail (a DynamoDB outage). */
  failWith: Error | undefined;
  async get(sub: string) {
    if (this.failWith) throw this.failWith;
    const item = this.items.get(sub);
    return item ? structuredClone(item) : undefined;
  }
  async writeIfVersion(ledger: CreditLedger, expected: number | null): Promise<WriteOutcome> {
    if (this.failWith) throw this.failWith;
    const current = this.items.get(ledger.sub);
    if (expected === null ? current !== undefined : current?.version !== expected) return 'conflict';
    this.items.set(ledger.sub, structuredClone(ledger));
    this.writes += 1;
    return 'written';
  }
  async remove(sub: string) {
    if (this.failWith) throw this.failWith;
    this.items.delete(sub);
  }
}

/** In-memory AuditLog for credit entries: a put is conditional on the entry key, as in DynamoDB. */
export class MemoryCreditAudit implements CreditAuditLog {
  readonly entries = new Map<string, CreditAuditEntry>();
  puts = 0;
  /** Fails the next `failNext` puts. */
  failNext = 0;
  async append(entry: CreditAuditEntry) {
    this.puts += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('audit put failed');
    }
    const key = `${entry.userId}|${entry.entryId}`;
    if (!this.entries.has(key)) this.entries.set(key, structuredClone(entry));
  }
  of(sub: string) {
    return [...this.entries.values()].filter((entry) => entry.userId === sub);
  }
}

export function memoryCreditBook(): CreditBook & { ledger: MemoryCreditLedgers; audit: MemoryCreditAudit } {
  return { ledger: new MemoryCreditLedgers(), audit: new MemoryCreditAudit() };
}
