import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import type { GroupGateway } from '../../../lambdas/ports/app-ports';

/**
 * Cognito group membership in memory, as CognitoGroupGateway sees it: adding twice or removing a missing group is
 * harmless. `log` lists the mutating calls in order (`add <user> <group>`), `calls` counts every call, `failNext`
 * makes the next mutating calls fail like a Cognito outage.
 */
export class MemoryGroupGateway implements GroupGateway {
  readonly members = new Map<string, Set<string>>();
  readonly log: string[] = [];
  calls = { add: 0, remove: 0, list: 0 };
  /** Number of upcoming mutating calls that fail like a Cognito outage. */
  failNext = 0;

  groupsOf(username: string): string[] {
    return [...(this.members.get(username) ?? [])].sort();
  }
  async addUserToGroup(username: string, group: string) {
    this.calls.add += 1;
    this.fail('add');
    this.log.push(`add ${username} ${group}`);
    this.members.set(username, new Set([...(this.members.get(username) ?? []), group]));
  }
  async removeUserFromGroup(username: string, group: string) {
    this.calls.remove += 1;
    this.fail('remove');
    this.log.push(`remove ${username} ${group}`);
    this.members.get(username)?.delete(group);
  }
  async listGroupsForUser(username: string) {
    this.calls.list += 1;
    return this.groupsOf(username);
  }
  private fail(action: string) {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new DependencyUnavailableError('cognito', `cognito ${action} failed (test outage)`);
    }
  }
}
