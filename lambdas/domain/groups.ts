import type { PlanCatalog } from './plan-catalog';

/**
 * The groups of `groups` this system manages (the catalog's plan groups), in their order. `admins` and unknown
 * groups are never managed; a missing list has none. Every comparison of group lists goes through this filter.
 */
export function managedGroupsOf(groups: readonly string[] | undefined, catalog: PlanCatalog): string[] {
  return (groups ?? []).filter((group) => catalog.isManagedGroup(group));
}

/**
 * The group change that takes a user from `current` to `desired`, limited to groups the catalog manages:
 * `admins` and unknown groups are never added or removed.
 */
export function diffManagedGroups(
  current: readonly string[],
  desired: readonly string[],
  catalog: PlanCatalog,
): { add: string[]; remove: string[] } {
  const have = new Set(managedGroupsOf(current, catalog));
  const want = new Set(managedGroupsOf(desired, catalog));
  return {
    add: [...want].filter((group) => !have.has(group)).sort(),
    remove: [...have].filter((group) => !want.has(group)).sort(),
  };
}
