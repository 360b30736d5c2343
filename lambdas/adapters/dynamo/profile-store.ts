import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeletionMark } from '../../domain/account-deletion';
import { emailLookupForms, sameEmail } from '../../domain/email';
import { dependencyError } from '../../domain/errors';
import type { ProfileCleanup } from '../../ports/account-ports';
import type { ProfileInput, ProfileStore, UserProfile } from '../../ports/app-ports';
import { isConditionFailure } from './dynamo-errors';

/** UserProfiles table (key `userId` = Cognito sub; GSIs EmailIndex, StripeCustomerIndex). */
export class DynamoProfileStore implements ProfileStore, ProfileCleanup {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string): Promise<UserProfile | undefined> {
    try {
      const result = await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: { userId } }));
      return result.Item as UserProfile | undefined;
    } catch (error) {
      throw dependencyError('dynamodb', 'profile read', error);
    }
  }

  /**
   * Profiles whose email is equivalent to `email`: one EmailIndex query per stored spelling
   * (`emailLookupForms`: canonical, punycode domain, quoted local part, the pre-IDNA normal form), results
   * re-checked by normalised email and de-duplicated.
   */
  async findByEmail(email: string): Promise<UserProfile[]> {
    const found = new Map<string, UserProfile>();
    for (const form of emailLookupForms(email)) {
      for (const profile of await this.queryIndex('EmailIndex', 'email', form)) {
        if (sameEmail(profile.email, email)) found.set(profile.userId, profile);
      }
    }
    return [...found.values()];
  }

  findByStripeCustomerId(stripeCustomerId: string): Promise<UserProfile[]> {
    return this.queryIndex('StripeCustomerIndex', 'stripeCustomerId', stripeCustomerId);
  }

  /**
   * Creates or refreshes a profile in one UpdateItem. `createdAt` is set once and a stored `stripeCustomerId` is
   * never overwritten (if_not_exists), so Cognito's trigger retries and concurrent healers are harmless.
   */
  async upsert(input: ProfileInput, now: Date): Promise<UserProfile> {
    const iso = now.toISOString();
    const fields: Record<string, unknown> = {
      cognitoUsername: input.cognitoUsername,
      email: input.email,
      emailVerified: input.emailVerified,
      givenName: input.givenName,
      familyName: input.familyName,
      identityProvider: input.identityProvider,
      updatedAt: iso,
    };
    const present = Object.entries(fields).filter(([, value]) => value !== undefined);
    const sets = present.map(([name]) => `#${name} = :${name}`);
    sets.push('#createdAt = if_not_exists(#createdAt, :createdAt)');
    const names: Record<string, string> = { '#createdAt': 'createdAt' };
    const values: Record<string, unknown> = { ':createdAt': iso };
    for (const [name, value] of present) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
    }
    if (input.stripeCustomerId) {
      sets.push('#stripeCustomerId = if_not_exists(#stripeCustomerId, :stripeCustomerId)');
      names['#stripeCustomerId'] = 'stripeCustomerId';
      values[':stripeCustomerId'] = input.stripeCustomerId;
    }
    try {
      const result = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId: input.userId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as UserProfile;
    } catch (error) {
      throw dependencyError('dynamodb', 'profile write', error);
    }
  }

  /**
   * Links a Stripe customer to an existing profile unless one is linked already; returns the id that is stored
   * afterwards (the existing one when another writer won), or undefined when the profile does not exist.
   */
  async linkStripeCustomer(userId: string, stripeCustomerId: string, now: Date): Promise<string | undefined> {
    try {
      const result = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId },
          UpdateExpression: 'SET #cid = :cid, #updatedAt = :now',
          ConditionExpression: 'attribute_exists(#userId) AND (attribute_not_exists(#cid) OR #cid = :cid)',
          ExpressionAttributeNames: { '#cid': 'stripeCustomerId', '#userId': 'userId', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':cid': stripeCustomerId, ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (result.Attributes as UserProfile).stripeCustomerId;
    } catch (error) {
      if (isConditionFailure(error)) return (await this.get(userId))?.stripeCustomerId;
      throw dependencyError('dynamodb', 'profile link', error);
    }
  }

  async unlinkStripeCustomer(userId: string, stripeCustomerId: string, now: Date): Promise<boolean> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId },
          UpdateExpression: 'SET #updatedAt = :now REMOVE #cid',
          ConditionExpression: '#cid = :cid',
          ExpressionAttributeNames: { '#cid': 'stripeCustomerId', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':cid': stripeCustomerId, ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw dependencyError('dynamodb', 'profile unlink', error);
    }
  }

  /** Sets `deletion` unless set (the first request's mark stays); undefined when there is no profile. */
  async markDeletion(userId: string, mark: DeletionMark): Promise<DeletionMark | undefined> {
    try {
      const result = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId },
          UpdateExpression: 'SET #deletion = if_not_exists(#deletion, :mark)',
          ConditionExpression: 'attribute_exists(#userId)',
          ExpressionAttributeNames: { '#deletion': 'deletion', '#userId': 'userId' },
          ExpressionAttributeValues: { ':mark': mark },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (result.Attributes as UserProfile).deletion;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw dependencyError('dynamodb', 'profile deletion mark', error);
    }
  }

  /** Deletes the row (absent is fine: DeleteItem is idempotent). */
  async remove(userId: string): Promise<void> {
    try {
      await this.ddb.send(new DeleteCommand({ TableName: this.tableName, Key: { userId } }));
    } catch (error) {
      throw dependencyError('dynamodb', 'profile delete', error);
    }
  }

  private async queryIndex(indexName: string, attribute: string, value: string): Promise<UserProfile[]> {
    try {
      const result = await this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#a = :v',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
      return (result.Items ?? []) as UserProfile[];
    } catch (error) {
      throw dependencyError('dynamodb', `${indexName} query`, error);
    }
  }
}
