import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dependencyError } from '../../domain/errors';
import type { WebhookLedger } from '../../ports/webhook-ports';
import { isConditionFailure } from './dynamo-errors';

/** Kept 5 days: longer than Stripe's 3 days of retries, so a late redelivery is still recognised. */
export const LEDGER_TTL_SECONDS = 5 * 24 * 3600;

/** WebhookEvents table (key `eventId`, TTL `expiresAt`). */
export class DynamoWebhookLedger implements WebhookLedger {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async has(eventId: string): Promise<boolean> {
    try {
      const result = await this.ddb.send(
        new GetCommand({ TableName: this.tableName, Key: { eventId }, ConsistentRead: true }),
      );
      return result.Item !== undefined;
    } catch (error) {
      throw dependencyError('dynamodb', 'webhook ledger read', error);
    }
  }

  async record(
    entry: { eventId: string; type: string; outcome: string },
    now: Date,
  ): Promise<'recorded' | 'duplicate'> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...entry,
            processedAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + LEDGER_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(eventId)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (isConditionFailure(error)) return 'duplicate';
      throw dependencyError('dynamodb', 'webhook ledger write', error);
    }
  }
}
