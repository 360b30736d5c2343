import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../../lambdas/domain/default-catalog';
import { diffManagedGroups, managedGroupsOf } from '../../../lambdas/domain/groups';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';

const catalog = PlanCatalog.defaults();

describe('managedGroupsOf', () => {
  it.each<[string, readonly string[] | undefined, string[]]>([
    ['no list', undefined, []],
    ['an empty list', [], []],
    ['only plan groups, order kept', ['pro', 'free'], ['pro', 'free']],
    ['admins dropped', ['admins', 'pro'], ['pro']],
    ['unknown groups dropped', ['beta-testers', 'starter', 'us-east-1_abc_Google'], ['starter']],
    ['every plan group kept', ['enterprise', 'business', 'trial'], ['enterprise', 'business', 'trial']],
    ['a group named like a plan id but not a group name is dropped', ['Pro', 'pro '], []],
    ['nothing managed', ['admins', 'beta'], []],
  ])('%s', (_label, groups, expected) => {
    expect(managedGroupsOf(groups, catalog)).toEqual(expected);
  });

  it('follows the catalog it is given (a custom plan group is managed there only)', () => {
    const input = structuredClone(DEFAULT_CATALOG);
    for (const plan of input.plans) if (plan.id === 'free') plan.group = 'basic';
    const custom = PlanCatalog.parse(input);
    expect(managedGroupsOf(['basic', 'free'], custom)).toEqual(['basic']);
    expect(managedGroupsOf(['basic', 'free'], catalog)).toEqual(['free']);
  });
});

describe('diffManagedGroups', () => {
  it('moves between plan groups and never touches admins or unknown groups', () => {
    expect(diffManagedGroups(['starter', 'admins', 'beta'], ['pro', 'admins'], catalog)).toEqual({
      add: ['pro'],
      remove: ['starter'],
    });
  });

  it('is empty when nothing differs', () => {
    expect(diffManagedGroups(['free'], ['free'], catalog)).toEqual({ add: [], remove: [] });
  });

  it('never adds an unmanaged desired group', () => {
    expect(diffManagedGroups([], ['admins', 'free'], catalog)).toEqual({ add: ['free'], remove: [] });
  });
});
