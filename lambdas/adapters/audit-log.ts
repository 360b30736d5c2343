import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from '../core/webhook-ports';
import { dependencyError } from '../shared/errors';
import { isConditionFailure } from './dynamo-errors';

/** AuditLog table (pk `userId`, sk `entryId`): one entry per applied change, queryable per user. */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(entry: AuditEntry): Promise<void> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: entry,
          ConditionExpression: 'attribute_not_exists(entryId)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw dependencyError('dynamodb', 'audit write', error);
    }
  }
}
