import type { EntitlementRecord } from '../../../lambdas/domain/entitlement';
import type { WebhookEntitlementRecord } from '../../../lambdas/domain/webhook-entitlement-record';
import type { EntitlementCleanup } from '../../../lambdas/ports/account-ports';
import type { EntitlementStore, WriteOutcome } from '../../../lambdas/ports/app-ports';

/** Like the adapter: an update never writes the applied groups (setCognitoGroups owns them). */
export function appliedGroupsOf(stored: EntitlementRecord | undefined): Partial<EntitlementRecord> {
  if (!stored) return {};
  const { cognitoGroups, cognitoGroupsVersion, cognitoGroupsUnverified } = stored;
  return {
    cognitoGroups,
    ...(cognitoGroupsVersion === undefined ? {} : { cognitoGroupsVersion }),
    ...(cognitoGroupsUnverified === undefined ? {} : { cognitoGroupsUnverified }),
  };
}

/**
 * The Entitlements table in memory, with DynamoEntitlementStore's semantics: reads are copies, `writeIfVersion` is
 * an update (fields it does not name are kept, fields it sets to undefined are removed) guarded by the version read,
 * an update keeps the applied groups, `setCognitoGroups` bumps their version and stamps `updatedAt`, `remove` is idempotent. Counters for the tests' assertions.
 */
export class MemoryEntitlementStore implements EntitlementStore, EntitlementCleanup {
  readonly items = new Map<string, WebhookEntitlementRecord>();
  /** Calls per method (conflicts included). */
  calls = { get: 0, write: 0, setGroups: 0 };
  /** Successful createIfAbsent and writeIfVersion writes. */
  writes = 0;
  /** createIfAbsent calls, won or lost. */
  creates = 0;

  async get(sub: string) {
    this.calls.get += 1;
    const item = this.items.get(sub);
    return item ? structuredClone(item) : undefined;
  }
  async createIfAbsent(record: WebhookEntitlementRecord): Promise<WriteOutcome> {
    this.creates += 1;
    if (this.items.has(record.cognito_sub)) return 'conflict';
    this.items.set(record.cognito_sub, structuredClone(record));
    this.writes += 1;
    return 'written';
  }
  async writeIfVersion(record: WebhookEntitlementRecord, expectedVersion: number | null): Promise<WriteOutcome> {
    this.calls.write += 1;
    const stored = this.items.get(record.cognito_sub);
    if (expectedVersion === null ? stored !== undefined : stored?.entitlementsVersion !== expectedVersion) {
      return 'conflict';
    }
    const merged: Record<string, unknown> = structuredClone({ ...stored, ...record, ...appliedGroupsOf(stored) });
    for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
    this.items.set(record.cognito_sub, merged as unknown as WebhookEntitlementRecord);
    this.writes += 1;
    return 'written';
  }
  async setCognitoGroups(
    sub: string,
    groups: string[],
    now: Date,
    expected?: number,
    expectedGroups?: number,
  ): Promise<WriteOutcome> {
    this.calls.setGroups += 1;
    const stored = this.items.get(sub);
    if (!stored || (expected !== undefined && stored.entitlementsVersion !== expected)) return 'conflict';
    if (expectedGroups !== undefined && (stored.cognitoGroupsVersion ?? 0) !== expectedGroups) return 'conflict';
    const { cognitoGroupsUnverified, ...rest } = stored;
    const cognitoGroupsVersion = (stored.cognitoGroupsVersion ?? 0) + 1;
    // Like the adapter: only a record conditional on the applied groups' version clears the unverified mark.
    const mark = expectedGroups === undefined && cognitoGroupsUnverified ? { cognitoGroupsUnverified } : {};
    this.items.set(sub, {
      ...rest,
      ...mark,
      cognitoGroups: [...groups],
      cognitoGroupsVersion,
      updatedAt: now.toISOString(),
    });
    return 'written';
  }
  async markCognitoGroupsUnverified(sub: string, now: Date): Promise<void> {
    const stored = this.items.get(sub);
    if (!stored) return;
    const cognitoGroupsVersion = (stored.cognitoGroupsVersion ?? 0) + 1;
    this.items.set(sub, {
      ...stored,
      cognitoGroupsUnverified: true,
      cognitoGroupsVersion,
      updatedAt: now.toISOString(),
    });
  }
  async remove(sub: string) {
    this.items.delete(sub);
  }
}
