import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CreditAuditEntry } from '../../domain/credit-audit';
import { dependencyError } from '../../domain/errors';
import type { CreditAuditLog } from '../../ports/credit-ports';
import type { AuditEntry, AuditLog } from '../../ports/webhook-ports';
import { isConditionFailure } from './dynamo-errors';

/**
 * AuditLog table (pk `userId`, sk `entryId`): one entry per applied change, queryable per user — entitlement
 * changes and credit changes alike (both ports, one conditional put).
 */
export class DynamoAuditLog implements AuditLog, CreditAuditLog {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(entry: AuditEntry | CreditAuditEntry): Promise<void> {
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
