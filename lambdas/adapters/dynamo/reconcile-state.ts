import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dependencyError } from '../../domain/errors';
import type { ReconcileCheckpoint, ReconcileStateStore } from '../../ports/reconcile-ports';
import { isConditionFailure } from './dynamo-errors';

const CHECKPOINT_TTL_SECONDS = 7 * 24 * 3600;
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/** ReconcileState table (key `id`, TTL attribute `expiresAt`): leases, checkpoints and the last run's summary. */
export class DynamoReconcileStateStore implements ReconcileStateStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async acquireLease(scope: string, holder: string, now: Date, ttlSeconds: number): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id: `lease#${scope}`, holder, acquiredAt: now.toISOString(), expiresAt: epoch(now) + ttlSeconds },
          // TTL deletion lags by hours: an expired lease is taken over by comparing expiresAt, not by waiting.
          ConditionExpression: 'attribute_not_exists(id) OR expiresAt < :now OR holder = :holder',
          ExpressionAttributeValues: { ':now': epoch(now), ':holder': holder },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw dependencyError('dynamodb', 'reconcile lease', error);
    }
  }

  async releaseLease(scope: string, holder: string): Promise<void> {
    try {
      await this.ddb.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { id: `lease#${scope}` },
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw dependencyError('dynamodb', 'reconcile lease release', error);
    }
  }

  async getCheckpoint(scope: string): Promise<ReconcileCheckpoint | undefined> {
    const item = await this.get(`checkpoint#${scope}`);
    return item ? (item.checkpoint as ReconcileCheckpoint) : undefined;
  }

  async saveCheckpoint(scope: string, checkpoint: ReconcileCheckpoint, now: Date): Promise<void> {
    await this.put({ id: `checkpoint#${scope}`, checkpoint, expiresAt: epoch(now) + CHECKPOINT_TTL_SECONDS });
  }

  async clearCheckpoint(scope: string): Promise<void> {
    try {
      await this.ddb.send(new DeleteCommand({ TableName: this.tableName, Key: { id: `checkpoint#${scope}` } }));
    } catch (error) {
      throw dependencyError('dynamodb', 'reconcile checkpoint delete', error);
    }
  }

  async saveLastRun(summary: Record<string, unknown>, now: Date): Promise<void> {
    await this.put({ id: 'last-run', summary, expiresAt: epoch(now) + CHECKPOINT_TTL_SECONDS * 4 });
  }

  async getLastRun(): Promise<Record<string, unknown> | undefined> {
    const item = await this.get('last-run');
    return item ? (item.summary as Record<string, unknown>) : undefined;
  }

  private async get(id: string): Promise<Record<string, unknown> | undefined> {
    try {
      const result = await this.ddb.send(
        new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
      );
      return result.Item;
    } catch (error) {
      throw dependencyError('dynamodb', 'reconcile state read', error);
    }
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    try {
      await this.ddb.send(new PutCommand({ TableName: this.tableName, Item: item }));
    } catch (error) {
      throw dependencyError('dynamodb', 'reconcile state write', error);
    }
  }
}
