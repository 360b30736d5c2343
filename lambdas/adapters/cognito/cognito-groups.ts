import {
  AdminAddUserToGroupCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoUserMissingError, dependencyError } from '../../domain/errors';
import type { GroupGateway } from '../../ports/app-ports';

/** Cognito group membership of one user pool. Callers pass the Cognito username (not the sub). */
export class CognitoGroupGateway implements GroupGateway {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async addUserToGroup(username: string, group: string): Promise<void> {
    try {
      await this.cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: group }),
      );
    } catch (error) {
      throw groupError(username, `add to group ${group}`, error);
    }
  }

  async removeUserFromGroup(username: string, group: string): Promise<void> {
    try {
      await this.cognito.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: group }),
      );
    } catch (error) {
      throw groupError(username, `remove from group ${group}`, error);
    }
  }

  async listGroupsForUser(username: string): Promise<string[]> {
    const groups: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.cognito.send(
          new AdminListGroupsForUserCommand({ UserPoolId: this.userPoolId, Username: username, NextToken: nextToken }),
        );
        for (const group of page.Groups ?? []) if (group.GroupName) groups.push(group.GroupName);
        nextToken = page.NextToken;
      } while (nextToken);
      return groups;
    } catch (error) {
      throw groupError(username, 'list groups', error);
    }
  }
}

/** UserNotFoundException: the user is gone for good (CognitoUserMissingError); anything else may pass. */
function groupError(username: string, action: string, error: unknown) {
  if (error instanceof Error && error.name === 'UserNotFoundException') {
    return new CognitoUserMissingError(username, `cognito ${action} failed: user ${username} does not exist`, {
      cause: error,
    });
  }
  return dependencyError('cognito', action, error);
}
