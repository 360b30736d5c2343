import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CreditAuditEntry } from '../../domain/credit-audit';
import { dependencyError } from '../../domain/errors';
import type { CreditAuditLog } from '../../ports/credit-ports';
import { isConditionFailure } from './dynamo-errors';

/** AuditLog table (pk `userId`, sk `entryId`): credit changes, next to the user's entitlement changes. */
export class DynamoCreditAuditLog implements CreditAuditLog {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(entry: CreditAuditEntry): Promise<void> {
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
      throw dependencyError('dynamodb', 'credit audit write', error);
    }
  }
}
