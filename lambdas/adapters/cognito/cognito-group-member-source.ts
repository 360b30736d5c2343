import { type CognitoIdentityProviderClient, ListUsersInGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { dependencyError } from '../../domain/errors';
import { type BackoffOptions, withBackoff } from '../backoff';

/**
 * Members of Cognito groups, one paged ListUsersInGroup per group: for reconcile this is a handful of calls per
 * 60 members instead of one AdminListGroupsForUser per user. Returns usernames.
 */
export class CognitoGroupMemberSource {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    private readonly backoff: BackoffOptions = {},
  ) {}

  async usernamesIn(group: string): Promise<string[]> {
    const usernames: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await withBackoff(
          () =>
            this.cognito.send(
              new ListUsersInGroupCommand({
                UserPoolId: this.userPoolId,
                GroupName: group,
                Limit: 60,
                ...(nextToken ? { NextToken: nextToken } : {}),
              }),
            ),
          this.backoff,
        );
        for (const user of page.Users ?? []) if (user.Username) usernames.push(user.Username);
        nextToken = page.NextToken;
      } while (nextToken);
      return usernames;
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return [];
      throw dependencyError('cognito', `list members of ${group}`, error);
    }
  }
}
