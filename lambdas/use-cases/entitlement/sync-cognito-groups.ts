import type { EntitlementRecord } from '../../domain/entitlement';
import { diffManagedGroups, managedGroupsOf } from '../../domain/groups';
import type { PlanCatalog } from '../../domain/plan-catalog';
import type { Clock, EntitlementStore, GroupGateway } from '../../ports/app-ports';

export interface SyncGroupsDeps {
  groups: GroupGateway;
  entitlements: EntitlementStore;
  catalog: PlanCatalog;
  clock: Clock;
}

export interface GroupChange {
  added: string[];
  removed: string[];
}

export interface GroupSyncResult extends GroupChange {
  /**
   * 'conflict': the applied set was not recorded because the record's version is no longer `expectedVersion`
   * (another delivery wrote in between). 'unchanged': nothing to call or record.
   */
  recorded: 'written' | 'conflict' | 'unchanged';
}

/** What the applied set's record is conditional on (none: recorded whenever the item exists). */
export interface RecordCondition {
  /** The record's `entitlementsVersion` the desired groups were read at. */
  version: number;
  /**
   * The `cognitoGroupsVersion` the diff's base (`cognitoGroups`) was read at: needed when the base is the record's
   * applied set (another applier may have changed Cognito and recorded since), not when it is a fresh listing.
   */
  groupsVersion?: number;
}

/**
 * Makes Cognito match the record's desired `groups`, calling the admin APIs only for the difference from the
 * groups recorded as applied (`cognitoGroups`), and only for catalog-managed groups. The applied set is recorded
 * after Cognito accepted every call, so a failure part-way is retried in full by the caller's retry and converges
 * (adding a member twice or removing a non-member is harmless in Cognito). With a condition, the applied set is
 * recorded only if the record is still at that version (and the applied groups at theirs), which tells the caller
 * whether anyone wrote meanwhile.
 */
export async function syncCognitoGroups(
  deps: SyncGroupsDeps,
  record: Pick<EntitlementRecord, 'cognito_sub' | 'groups' | 'cognitoGroups'>,
  username: string,
  condition?: RecordCondition,
): Promise<GroupSyncResult> {
  const { add, remove } = diffManagedGroups(record.cognitoGroups ?? [], record.groups, deps.catalog);
  if (add.length === 0 && remove.length === 0) return { added: [], removed: [], recorded: 'unchanged' };
  // Add before remove: a user is never left with no plan group in between.
  for (const group of add) await deps.groups.addUserToGroup(username, group);
  for (const group of remove) await deps.groups.removeUserFromGroup(username, group);
  const managed = managedGroupsOf(record.groups, deps.catalog);
  const recorded = await deps.entitlements.setCognitoGroups(
    record.cognito_sub,
    managed,
    deps.clock.now(),
    condition?.version,
    condition?.groupsVersion,
  );
  return { added: add, removed: remove, recorded };
}
