import { type AccountTombstone, emailHash } from '../../../lambdas/domain/account-deletion';
import { normaliseEmail } from '../../../lambdas/domain/email';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import type { AccountTombstoneStore } from '../../../lambdas/ports/account-ports';
import type { TrialMarkStore } from '../../../lambdas/ports/billing-ports';

/**
 * Account tombstones, deleted customers and trial-used marks in memory (the AuditLog items of
 * DynamoAccountTombstoneStore, which also implements TrialMarkStore). Marks are keyed by the normalised email like
 * the adapter's hash: `emails` lists them readably, `trialsUsed` as the adapter stores them. `failNextMark` makes
 * the next trial marks fail like a DynamoDB outage.
 */
export class MemoryAccountTombstoneStore implements AccountTombstoneStore, TrialMarkStore {
  readonly accounts = new Map<string, AccountTombstone>();
  readonly customers = new Map<string, string>();
  /** Normalised emails marked as having used their trial. */
  readonly emails = new Set<string>();
  failNextMark = 0;

  /** The marks as the adapter keys them (sha256 of the normalised email). */
  get trialsUsed(): Set<string> {
    return new Set([...this.emails].map((email) => emailHash(email)));
  }
  async accountTombstone(sub: string) {
    const found = this.accounts.get(sub);
    return found ? structuredClone(found) : undefined;
  }
  async putAccountTombstone(tombstone: AccountTombstone) {
    this.accounts.set(tombstone.userId, structuredClone(tombstone));
  }
  async isDeletedCustomer(customerId: string) {
    return this.customers.has(customerId);
  }
  async markCustomerDeleted(customerId: string, sub: string) {
    this.customers.set(customerId, sub);
  }
  async isTrialUsed(email: string) {
    return this.emails.has(normaliseEmail(email));
  }
  async markTrialUsed(email: string) {
    if (this.failNextMark > 0) {
      this.failNextMark -= 1;
      throw new DependencyUnavailableError('dynamodb', 'trial mark write failed (test outage)');
    }
    this.emails.add(normaliseEmail(email));
  }
}
