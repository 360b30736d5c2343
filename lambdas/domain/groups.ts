import type { PlanCatalog } from './plan-catalog';

/**
 * The group change that takes a user from `current` to `desired`, limited to groups the catalog manages:
 * `admins` and unknown groups are never added or removed.
 */
export function diffManagedGroups(
  current: readonly string[],
  desired: readonly string[],
  catalog: PlanCatalog,
): { add: string[]; remove: string[] } {
  const managed = (group: string) => catalog.isManagedGroup(group);
  const have = new Set(current.filter(managed));
  const want = new Set(desired.filter(managed));
  return {
    add: [...want].filter((group) => !have.has(group)).sort(),
    remove: [...have].filter((group) => !want.has(group)).sort(),
  };
}
