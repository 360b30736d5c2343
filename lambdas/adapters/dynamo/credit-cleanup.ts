import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dependencyError } from '../../domain/errors';
import type { CreditCleanup } from '../../ports/credit-ports';

/** Credits table: deletes a user's ledger (account deletion); deleting an absent item succeeds. */
export class DynamoCreditCleanup implements CreditCleanup {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async remove(sub: string): Promise<void> {
    try {
      await this.ddb.send(new DeleteCommand({ TableName: this.tableName, Key: { cognito_sub: sub } }));
    } catch (error) {
      throw dependencyError('dynamodb', 'credit ledger delete', error);
    }
  }
}
