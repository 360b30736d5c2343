import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CreditLedger } from '../../domain/credit-ledger';
import { dependencyError } from '../../domain/errors';
import type { WriteOutcome } from '../../ports/app-ports';
import type { CreditLedgerStore } from '../../ports/credit-ports';
import { isConditionFailure } from './dynamo-errors';

/** Credits table (key `cognito_sub`): one item per user holding the balance, its version and its grants. */
export class DynamoCreditLedgerStore implements CreditLedgerStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(sub: string): Promise<CreditLedger | undefined> {
    try {
      const result = await this.ddb.send(
        new GetCommand({ TableName: this.tableName, Key: { cognito_sub: sub }, ConsistentRead: true }),
      );
      if (!result.Item) return undefined;
      const { cognito_sub, ...rest } = result.Item;
      return { ...(rest as Omit<CreditLedger, 'sub'>), sub: String(cognito_sub) };
    } catch (error) {
      throw dependencyError('dynamodb', 'credit ledger read', error);
    }
  }

  async writeIfVersion(ledger: CreditLedger, expectedVersion: number | null): Promise<WriteOutcome> {
    const { sub, ...fields } = ledger;
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { cognito_sub: sub, ...fields },
          ConditionExpression:
            expectedVersion === null ? 'attribute_not_exists(cognito_sub)' : '#version = :expectedVersion',
          ...(expectedVersion === null
            ? {}
            : {
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
              }),
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw dependencyError('dynamodb', 'credit ledger write', error);
    }
  }
}
