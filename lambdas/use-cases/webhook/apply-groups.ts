import { jitteredDelayMs } from '../../domain/backoff-delay';
import { CognitoUserMissingError, DependencyUnavailableError } from '../../domain/errors';
import { managedGroupsOf } from '../../domain/groups';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import { logger } from '../../platform/logger';
import { type GroupChange, syncCognitoGroups } from '../entitlement/sync-cognito-groups';
import type { EntitlementWriterDeps, GroupConvergence, UserContext } from './entitlement-writer-types';

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Makes Cognito match the record. Fast path: the diff from the recorded applied groups, recorded with a condition
 * on the record's version and on the applied groups' version (the diff's base), so no re-read is needed to know
 * whether another applier wrote in between. When one did (the condition fails), its Cognito calls may have
 * interleaved with ours: converge (below). A record marked unverified skips the fast path: its applied groups are
 * not trusted. A Cognito user that no longer exists gets no group change (WARN, counted), and no failure.
 */
export async function applyGroups(
  deps: EntitlementWriterDeps,
  record: WebhookEntitlementRecord,
  user: UserContext,
): Promise<GroupChange> {
  const managed = (groups: readonly string[] | undefined) => managedGroupsOf(groups, deps.catalog);
  const unverified = record.cognitoGroupsUnverified === true;
  if (!unverified && sameSet(managed(record.groups), managed(record.cognitoGroups))) return { added: [], removed: [] };
  const username =
    record.cognitoUsername ?? user.profile?.cognitoUsername ?? (await usernameFromProfile(deps, user.sub));
  try {
    return await applyTo(deps, record, user, username);
  } catch (error) {
    if (!(error instanceof CognitoUserMissingError)) throw error;
    // The Cognito user is gone: the records are applied, a group change can never succeed, and failing the
    // delivery would only make Stripe retry it for 3 days. Noted (GroupChangesForMissingUsers), not retried.
    logger.warn(USER_MISSING, { sub: user.sub, username, desiredGroups: managed(record.groups) });
    return { added: [], removed: [] };
  }
}

/** The message the GroupChangesForMissingUsers metric counts (lib/log-signals.ts). */
export const USER_MISSING = 'Cognito user not found; group change skipped';

async function applyTo(
  deps: EntitlementWriterDeps,
  record: WebhookEntitlementRecord,
  user: UserContext,
  username: string,
): Promise<GroupChange> {
  const unverified = record.cognitoGroupsUnverified === true;
  const change = { added: new Set<string>(), removed: new Set<string>() };
  if (!unverified) {
    const first = await syncCognitoGroups(deps, record, username, {
      version: record.entitlementsVersion,
      groupsVersion: record.cognitoGroupsVersion ?? 0,
    });
    if (first.recorded !== 'conflict') return { added: first.added, removed: first.removed };
    for (const g of first.added) change.added.add(g);
    for (const g of first.removed) change.removed.add(g);
  }
  await converge(deps, user.sub, username, change);
  return { added: [...change.added].sort(), removed: [...change.removed].sort() };
}

/**
 * The newest desired groups against Cognito's real membership, recorded on the condition that the desired groups
 * did not change meanwhile, until a round records (an applier whose calls land after our listing wanted other
 * groups, so its own record fails and it re-checks in turn), or finds Cognito and the record both matching. Rounds are
 * spaced with jittered exponential backoff, so many concurrent appliers spread out instead of colliding in step.
 * If they still do not settle, the applied groups are marked unverified (the next applier lists Cognito instead
 * of trusting the record) and the delivery fails, so Stripe's redelivery finishes the job.
 */
async function converge(
  deps: EntitlementWriterDeps,
  sub: string,
  username: string,
  change: { added: Set<string>; removed: Set<string> },
): Promise<void> {
  const options: GroupConvergence = deps.groupConvergence ?? {};
  const rounds = options.rounds ?? 8;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const managed = (groups: readonly string[] | undefined) => managedGroupsOf(groups, deps.catalog);
  for (let round = 1; round <= rounds; round += 1) {
    const latest = await deps.entitlements.get(sub);
    if (!latest) return;
    const actual = managed(await deps.groups.listGroupsForUser(username));
    // The base is Cognito's real membership, so only the desired groups' version conditions the record: an applier
    // whose calls land after this listing wants other groups (an older version) and fails its own record, then
    // re-checks; appliers of the same version only ever add and remove toward the same groups.
    // A record marked unverified is cleared only by a record that read the mark (on the groups' version too).
    const condition = {
      version: latest.entitlementsVersion,
      ...(latest.cognitoGroupsUnverified ? { groupsVersion: latest.cognitoGroupsVersion ?? 0 } : {}),
    };
    const synced = await syncCognitoGroups(deps, { ...latest, cognitoGroups: actual }, username, condition);
    for (const g of synced.added) change.added.add(g);
    for (const g of synced.removed) change.removed.add(g);
    let recorded = synced.recorded;
    if (recorded === 'unchanged') {
      // Cognito already matches: the record's applied groups still have to say so.
      const recordAgrees =
        latest.cognitoGroupsUnverified !== true && sameSet(managed(latest.cognitoGroups), managed(latest.groups));
      if (recordAgrees) return;
      recorded = await deps.entitlements.setCognitoGroups(
        sub,
        managed(latest.groups),
        deps.clock.now(),
        condition.version,
        condition.groupsVersion,
      );
    }
    if (recorded === 'written') return;
    if (round < rounds) await sleep(jitteredDelayMs(round, options.baseMs ?? 50, options.maxMs ?? 1_000, random()));
  }
  await deps.entitlements.markCognitoGroupsUnverified(sub, deps.clock.now());
  throw new DependencyUnavailableError(
    'cognito',
    `Cognito groups of ${sub} did not settle in ${rounds} rounds of concurrent changes: marked unverified for the retry`,
  );
}

async function usernameFromProfile(deps: EntitlementWriterDeps, sub: string): Promise<string> {
  const profile = await deps.profiles.get(sub);
  return profile?.cognitoUsername ?? sub;
}
