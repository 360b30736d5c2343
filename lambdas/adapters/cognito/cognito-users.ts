import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoUser } from '../../domain/cognito-user';
import { hasEmail } from '../../domain/cognito-user';
import { asciiEmail, normaliseEmail } from '../../domain/email';
import { dependencyError } from '../../domain/errors';
import type { UserCleanup } from '../../ports/account-ports';
import type { LinkProviderInput, UserDirectory } from '../../ports/user-ports';

/** Users of one Cognito user pool: lookups by email, admin reads, provider linking and a full paged scan. */
export class CognitoUserDirectory implements UserDirectory, UserCleanup {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  /**
   * ListUsers with an exact `email` filter, then a re-check of every returned user's email, normalised: the
   * filter compares raw strings (and cognito-local ignores it and returns every user), so only the re-check
   * decides. The canonical form, its punycode-domain form and the raw address are asked for (ListUsers is
   * rate-limited: the rarer quoted spellings are left to the profile index, which every confirmed user has).
   */
  async findByEmail(email: string): Promise<CognitoUser[]> {
    const wanted = normaliseEmail(email);
    const variants = [...new Set([wanted, asciiEmail(wanted), email.trim()])];
    const found = new Map<string, CognitoUser>();
    for (const variant of variants) {
      for await (const user of this.listAllUsers({ filter: `email = "${escapeFilterValue(variant)}"` })) {
        if (hasEmail(user, wanted)) found.set(user.username, user);
      }
    }
    return [...found.values()];
  }

  async get(username: string): Promise<CognitoUser | undefined> {
    try {
      const result = await this.cognito.send(
        new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }),
      );
      return toCognitoUser({
        Username: result.Username ?? username,
        Attributes: result.UserAttributes,
        UserStatus: result.UserStatus,
        Enabled: result.Enabled,
        UserCreateDate: result.UserCreateDate,
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'UserNotFoundException') return undefined;
      throw dependencyError('cognito', 'get user', error);
    }
  }

  /** AdminDeleteUser; a user Cognito no longer knows counts as deleted (a retry after success). */
  async deleteUser(username: string): Promise<'deleted' | 'absent'> {
    try {
      await this.cognito.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: username }));
      return 'deleted';
    } catch (error) {
      if (error instanceof Error && error.name === 'UserNotFoundException') return 'absent';
      throw dependencyError('cognito', 'delete user', error);
    }
  }

  /** Links a federated identity to an existing native user (Cognito matches the provider name exactly). */
  async linkProvider(input: LinkProviderInput): Promise<void> {
    try {
      await this.cognito.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: this.userPoolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: input.destinationUsername },
          SourceUser: {
            ProviderName: input.providerName,
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: input.providerUserId,
          },
        }),
      );
    } catch (error) {
      throw dependencyError('cognito', `link ${input.providerName} identity`, error);
    }
  }

  /**
   * Every user of the pool (or those matching `filter`), one ListUsers page at a time, so a caller (the reconcile
   * job) can stop early or checkpoint. Page size is at most 60 (the API's limit).
   */
  async *listAllUsers(options: { filter?: string; pageSize?: number } = {}): AsyncGenerator<CognitoUser> {
    let paginationToken: string | undefined;
    do {
      let page: { Users?: UserType[]; PaginationToken?: string };
      try {
        page = await this.cognito.send(
          new ListUsersCommand({
            UserPoolId: this.userPoolId,
            Limit: Math.min(options.pageSize ?? 60, 60),
            ...(options.filter ? { Filter: options.filter } : {}),
            ...(paginationToken ? { PaginationToken: paginationToken } : {}),
          }),
        );
      } catch (error) {
        throw dependencyError('cognito', 'list users', error);
      }
      for (const user of page.Users ?? []) {
        if (user.Username) yield toCognitoUser(user);
      }
      paginationToken = page.PaginationToken;
    } while (paginationToken);
  }
}

/** Quotes and backslashes must be escaped inside a ListUsers filter value. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\"]/g, (char) => `\\${char}`);
}

function toCognitoUser(user: UserType): CognitoUser {
  const attributes = attributeRecord(user.Attributes);
  const email = attributes.email;
  return {
    username: user.Username ?? '',
    ...(attributes.sub ? { sub: attributes.sub } : {}),
    ...(email ? { email: normaliseEmail(email) } : {}),
    emailVerified: attributes.email_verified === 'true',
    ...(user.UserStatus ? { status: user.UserStatus } : {}),
    enabled: user.Enabled ?? true,
    attributes,
    ...(user.UserCreateDate ? { createdAt: new Date(user.UserCreateDate) } : {}),
  };
}

function attributeRecord(attributes: AttributeType[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const attribute of attributes ?? []) {
    if (attribute.Name && attribute.Value !== undefined) record[attribute.Name] = attribute.Value;
  }
  return record;
}
