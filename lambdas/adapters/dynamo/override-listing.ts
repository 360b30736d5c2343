import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { EntitlementOverride } from '../../domain/entitlement';
import { dependencyError } from '../../domain/errors';
import type { OverrideDirectory, UserOverride } from '../../ports/reconcile-ports';

/**
 * The users holding an override (sync-health lists them): a scan of the Entitlements table filtered on the
 * `override` attribute, projecting only the key and the override (an admin read, paged, never on a user's path).
 */
export class DynamoOverrideDirectory implements OverrideDirectory {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<UserOverride[]> {
    const found: UserOverride[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.ddb.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: 'attribute_exists(#override)',
            ProjectionExpression: 'cognito_sub, #override',
            ExpressionAttributeNames: { '#override': 'override' },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          found.push({ sub: item.cognito_sub as string, override: item.override as EntitlementOverride });
        }
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw dependencyError('dynamodb', 'override listing', error);
    }
    return found.sort((a, b) => a.sub.localeCompare(b.sub));
  }
}
