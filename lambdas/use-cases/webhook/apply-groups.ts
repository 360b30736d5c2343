import { managedGroupsOf } from '../../domain/groups';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import { type GroupChange, syncCognitoGroups } from '../entitlement/sync-cognito-groups';
import type { EntitlementWriterDeps, UserContext } from './entitlement-writer-types';

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Makes Cognito match the record. Fast path: the diff from the recorded applied groups, recorded with a condition
 * on the record's version, so no re-read is needed to know whether another delivery wrote in between. When one
 * did (the condition fails), its Cognito calls may have interleaved with ours: converge on the record's newest
 * desired groups against Cognito's actual membership (bounded).
 */
export async function applyGroups(
  deps: EntitlementWriterDeps,
  record: WebhookEntitlementRecord,
  user: UserContext,
): Promise<GroupChange> {
  const managed = (groups: readonly string[] | undefined) => managedGroupsOf(groups, deps.catalog);
  if (sameSet(managed(record.groups), managed(record.cognitoGroups))) return { added: [], removed: [] };
  const username =
    record.cognitoUsername ?? user.profile?.cognitoUsername ?? (await usernameFromProfile(deps, user.sub));
  const first = await syncCognitoGroups(deps, record, username, record.entitlementsVersion);
  const added = new Set(first.added);
  const removed = new Set(first.removed);
  if (first.recorded !== 'conflict') return { added: first.added, removed: first.removed };
  let applied: string[] | undefined;
  for (let round = 0; round < 5; round += 1) {
    const latest = await deps.entitlements.get(user.sub);
    if (!latest) break;
    if (applied && sameSet(managed(latest.groups), applied)) break;
    const actual = managed(await deps.groups.listGroupsForUser(username));
    const change = await syncCognitoGroups(
      deps,
      { ...latest, cognitoGroups: actual },
      username,
      latest.entitlementsVersion,
    );
    for (const g of change.added) added.add(g);
    for (const g of change.removed) removed.add(g);
    applied = managed(latest.groups);
    if (change.recorded === 'written') break;
  }
  return { added: [...added].sort(), removed: [...removed].sort() };
}

async function usernameFromProfile(deps: EntitlementWriterDeps, sub: string): Promise<string> {
  const profile = await deps.profiles.get(sub);
  return profile?.cognitoUsername ?? sub;
}
