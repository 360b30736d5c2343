import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EntitlementRecord } from '../../domain/entitlement';
import { dependencyError } from '../../domain/errors';
import type { EntitlementCleanup } from '../../ports/account-ports';
import type { EntitlementStore, WriteOutcome } from '../../ports/app-ports';
import { isConditionFailure } from './dynamo-errors';

/** Entitlements table (key `cognito_sub`): the derived view, written only with conditions. */
export class DynamoEntitlementStore implements EntitlementStore, EntitlementCleanup {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(sub: string): Promise<EntitlementRecord | undefined> {
    try {
      const result = await this.ddb.send(
        new GetCommand({ TableName: this.tableName, Key: { cognito_sub: sub }, ConsistentRead: true }),
      );
      return result.Item as EntitlementRecord | undefined;
    } catch (error) {
      throw dependencyError('dynamodb', 'entitlement read', error);
    }
  }

  /** Deletes the record (account deletion); absent is fine. */
  async remove(sub: string): Promise<void> {
    try {
      await this.ddb.send(new DeleteCommand({ TableName: this.tableName, Key: { cognito_sub: sub } }));
    } catch (error) {
      throw dependencyError('dynamodb', 'entitlement delete', error);
    }
  }

  async createIfAbsent(record: EntitlementRecord): Promise<WriteOutcome> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(cognito_sub)',
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw dependencyError('dynamodb', 'entitlement create', error);
    }
  }

  /** One UpdateItem that sets every field of the record, guarded by the version the caller read. */
  async writeIfVersion(record: EntitlementRecord, expectedVersion: number | null): Promise<WriteOutcome> {
    const { cognito_sub, ...fields } = record;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [name, value] of Object.entries(fields)) {
      names[`#${name}`] = name;
      if (value === undefined) {
        removes.push(`#${name}`);
      } else {
        sets.push(`#${name} = :${name}`);
        values[`:${name}`] = value;
      }
    }
    let condition = 'attribute_not_exists(cognito_sub)';
    if (expectedVersion !== null) {
      condition = '#entitlementsVersion = :expectedVersion';
      names['#entitlementsVersion'] = 'entitlementsVersion';
      values[':expectedVersion'] = expectedVersion;
    }
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cognito_sub },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw dependencyError('dynamodb', 'entitlement write', error);
    }
  }

  async setCognitoGroups(sub: string, groups: string[], now: Date, expectedVersion?: number): Promise<WriteOutcome> {
    const versioned = expectedVersion !== undefined;
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cognito_sub: sub },
          UpdateExpression: 'SET #groups = :groups, #updatedAt = :now',
          ConditionExpression: versioned ? '#version = :version' : 'attribute_exists(cognito_sub)',
          ExpressionAttributeNames: {
            '#groups': 'cognitoGroups',
            '#updatedAt': 'updatedAt',
            ...(versioned ? { '#version': 'entitlementsVersion' } : {}),
          },
          ExpressionAttributeValues: {
            ':groups': groups,
            ':now': now.toISOString(),
            ...(versioned ? { ':version': expectedVersion } : {}),
          },
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw dependencyError('dynamodb', 'entitlement group record', error);
    }
  }
}
