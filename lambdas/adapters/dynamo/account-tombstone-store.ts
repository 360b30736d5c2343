import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AccountTombstone,
  type AuditKey,
  accountTombstoneKey,
  customerTombstoneKey,
  trialUsedMarkKey,
} from '../../domain/account-deletion';
import { dependencyError } from '../../domain/errors';
import type { AccountTombstoneStore } from '../../ports/account-ports';

/**
 * Account tombstones in the AuditLog table (pk `userId`, sk `entryId`), under the keys of
 * domain/account-deletion.ts. Puts overwrite (the same facts, idempotent); reads are strongly consistent so a
 * retry right after a write sees it.
 */
export class DynamoAccountTombstoneStore implements AccountTombstoneStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async accountTombstone(sub: string): Promise<AccountTombstone | undefined> {
    return (await this.read(accountTombstoneKey(sub))) as AccountTombstone | undefined;
  }

  putAccountTombstone(tombstone: AccountTombstone): Promise<void> {
    return this.write({ ...tombstone });
  }

  async isDeletedCustomer(customerId: string): Promise<boolean> {
    return (await this.read(customerTombstoneKey(customerId))) !== undefined;
  }

  markCustomerDeleted(customerId: string, sub: string, now: Date): Promise<void> {
    return this.write({ ...customerTombstoneKey(customerId), sub, recordedAt: now.toISOString() });
  }

  async isTrialUsed(email: string): Promise<boolean> {
    return (await this.read(trialUsedMarkKey(email))) !== undefined;
  }

  markTrialUsed(email: string, now: Date): Promise<void> {
    return this.write({ ...trialUsedMarkKey(email), recordedAt: now.toISOString() });
  }

  private async read(key: AuditKey): Promise<Record<string, unknown> | undefined> {
    try {
      const result = await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return result.Item;
    } catch (error) {
      throw dependencyError('dynamodb', 'tombstone read', error);
    }
  }

  private async write(item: Record<string, unknown>): Promise<void> {
    try {
      await this.ddb.send(new PutCommand({ TableName: this.tableName, Item: item }));
    } catch (error) {
      throw dependencyError('dynamodb', 'tombstone write', error);
    }
  }
}
