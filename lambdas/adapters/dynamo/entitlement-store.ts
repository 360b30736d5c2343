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
      // The applied groups are setCognitoGroups' own: an update never writes a value read before a concurrent sync.
      if (expectedVersion !== null && APPLIED_GROUPS.has(name)) continue;
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

  async setCognitoGroups(
    sub: string,
    groups: string[],
    now: Date,
    expectedVersion?: number,
    expectedGroupsVersion?: number,
  ): Promise<WriteOutcome> {
    const conditions = ['attribute_exists(cognito_sub)'];
    const names: Record<string, string> = {
      '#groups': 'cognitoGroups',
      '#updatedAt': 'updatedAt',
      '#gv': GROUPS_VERSION,
    };
    const values: Record<string, unknown> = { ':groups': groups, ':now': now.toISOString(), ':zero': 0, ':one': 1 };
    if (expectedVersion !== undefined) {
      conditions.push('#version = :version');
      names['#version'] = 'entitlementsVersion';
      values[':version'] = expectedVersion;
    }
    let update = 'SET #groups = :groups, #updatedAt = :now, #gv = if_not_exists(#gv, :zero) + :one';
    if (expectedGroupsVersion !== undefined) {
      // Only a record that read the applied groups' version may clear an unverified mark (no mark landed since).
      update += ' REMOVE #unverified';
      names['#unverified'] = UNVERIFIED;
      conditions.push(expectedGroupsVersion === 0 ? '(attribute_not_exists(#gv) OR #gv = :zero)' : '#gv = :gv');
      if (expectedGroupsVersion !== 0) values[':gv'] = expectedGroupsVersion;
    }
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cognito_sub: sub },
          UpdateExpression: update,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw dependencyError('dynamodb', 'entitlement group record', error);
    }
  }

  async markCognitoGroupsUnverified(sub: string, now: Date): Promise<void> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { cognito_sub: sub },
          UpdateExpression: 'SET #unverified = :true, #updatedAt = :now, #gv = if_not_exists(#gv, :zero) + :one',
          ConditionExpression: 'attribute_exists(cognito_sub)',
          ExpressionAttributeNames: { '#unverified': UNVERIFIED, '#updatedAt': 'updatedAt', '#gv': GROUPS_VERSION },
          ExpressionAttributeValues: { ':true': true, ':now': now.toISOString(), ':zero': 0, ':one': 1 },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw dependencyError('dynamodb', 'entitlement group mark', error);
    }
  }
}

const GROUPS_VERSION = 'cognitoGroupsVersion';
const UNVERIFIED = 'cognitoGroupsUnverified';
/** Written only by setCognitoGroups / markCognitoGroupsUnverified (and a create). */
const APPLIED_GROUPS = new Set(['cognitoGroups', GROUPS_VERSION, UNVERIFIED]);
