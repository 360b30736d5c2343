import { beforeEach, describe, expect, it } from 'vitest';
import { AccountDeletedError } from '../../../../lambdas/domain/account-deletion';
import { initialEntitlementRecord } from '../../../../lambdas/domain/entitlement';
import { DependencyUnavailableError } from '../../../../lambdas/domain/errors';
import { PlanCatalog } from '../../../../lambdas/domain/plan-catalog';
import {
  type NewUser,
  type ProvisionUserDeps,
  provisionUser,
} from '../../../../lambdas/use-cases/identity/provision-user';
import { MemoryAccountTombstoneStore } from '../../../support/fakes/account-tombstone-store';
import { MemoryCustomerGateway } from '../../../support/fakes/customer-gateway';
import { MemoryEntitlementStore } from '../../../support/fakes/entitlement-store';
import { MemoryGroupGateway } from '../../../support/fakes/group-gateway';
import { MemoryProfileStore } from '../../../support/fakes/profile-store';
import { fixedClock } from '../../../support/trigger-fakes';

const catalog = PlanCatalog.defaults();
const baseUser: NewUser = {
  sub: 'sub-1',
  username: 'sub-1',
  email: '  Alice@Example.COM ',
  emailVerified: true,
  givenName: 'Alice',
  familyName: 'Example',
  identityProvider: 'cognito',
};

describe('provisionUser', () => {
  let profiles: MemoryProfileStore;
  let entitlements: MemoryEntitlementStore;
  let groups: MemoryGroupGateway;
  let customers: MemoryCustomerGateway;
  let deps: ProvisionUserDeps;

  beforeEach(() => {
    profiles = new MemoryProfileStore();
    entitlements = new MemoryEntitlementStore();
    groups = new MemoryGroupGateway();
    customers = new MemoryCustomerGateway();
    deps = { profiles, entitlements, groups, customers, catalog, clock: fixedClock };
  });

  it('creates customer, profile (normalised email), entitlement none and the free group for a new user', async () => {
    // Act
    const result = await provisionUser(deps, structuredClone(baseUser));
    // Assess
    expect(customers.created).toEqual([{ sub: 'sub-1', email: 'alice@example.com', name: 'Alice Example' }]);
    expect(result.stripeCustomerId).toBe('cus_1');
    expect(profiles.items.get('sub-1')).toMatchObject({
      userId: 'sub-1',
      cognitoUsername: 'sub-1',
      email: 'alice@example.com',
      emailVerified: true,
      stripeCustomerId: 'cus_1',
      identityProvider: 'cognito',
      createdAt: '2026-11-01T12:00:00.000Z',
    });
    expect(entitlements.items.get('sub-1')).toMatchObject({
      status: 'none',
      plan: 'free',
      cognitoUsername: 'sub-1',
      email: 'alice@example.com',
      stripeCustomerId: 'cus_1',
      cognitoGroups: ['free'],
    });
    expect(result).toMatchObject({ entitlementCreated: true, groupsAdded: ['free'] });
    expect(await groups.listGroupsForUser('sub-1')).toEqual(['free']);
  });

  it('is idempotent: a second run creates no second customer, record or group call', async () => {
    // Prepare
    await provisionUser(deps, structuredClone(baseUser));
    const callsAfterFirst = groups.log.length;
    // Act
    const again = await provisionUser(deps, structuredClone(baseUser));
    // Assess
    expect(customers.created).toHaveLength(1);
    expect(again).toMatchObject({ stripeCustomerId: 'cus_1', entitlementCreated: false, groupsAdded: [] });
    expect(groups.log).toHaveLength(callsAfterFirst);
  });

  it('reuses the customer id stored on the profile without calling Stripe', async () => {
    // Prepare
    await profiles.upsert(
      {
        userId: 'sub-1',
        cognitoUsername: 'sub-1',
        email: 'alice@example.com',
        emailVerified: true,
        identityProvider: 'cognito',
        stripeCustomerId: 'cus_existing',
      },
      fixedClock.now(),
    );
    // Act
    const result = await provisionUser(deps, structuredClone(baseUser));
    // Assess
    expect(customers.created).toHaveLength(0);
    expect(result.stripeCustomerId).toBe('cus_existing');
    expect(entitlements.items.get('sub-1')?.stripeCustomerId).toBe('cus_existing');
  });

  it('reuses a customer a webhook recorded on the Entitlements record first, and does not clobber that record', async () => {
    // Prepare: a webhook created the record (paid plan) before the profile existed.
    const record = {
      ...initialEntitlementRecord(catalog, { sub: 'sub-1', stripeCustomerId: 'cus_hook' }, fixedClock.now()),
    };
    record.status = 'active';
    record.plan = 'pro';
    record.entitled = true;
    record.groups = ['pro'];
    record.entitlementsVersion = 7;
    entitlements.items.set('sub-1', record);
    // Act
    const result = await provisionUser(deps, structuredClone(baseUser));
    // Assess
    expect(customers.created).toHaveLength(0);
    expect(result).toMatchObject({ stripeCustomerId: 'cus_hook', entitlementCreated: false, groupsAdded: ['pro'] });
    expect(profiles.items.get('sub-1')?.stripeCustomerId).toBe('cus_hook');
    const stored = entitlements.items.get('sub-1');
    expect(stored).toMatchObject({ status: 'active', plan: 'pro', entitlementsVersion: 7, cognitoGroups: ['pro'] });
    expect(stored?.cognitoUsername).toBeUndefined();
  });

  it('keeps an existing record without customer id as it is (no clobbering) and still syncs its groups', async () => {
    // Prepare
    entitlements.items.set('sub-1', initialEntitlementRecord(catalog, { sub: 'sub-1' }, fixedClock.now()));
    // Act
    const result = await provisionUser(deps, structuredClone(baseUser));
    // Assess
    expect(result.entitlementCreated).toBe(false);
    expect(entitlements.items.get('sub-1')?.stripeCustomerId).toBeUndefined();
    expect(profiles.items.get('sub-1')?.stripeCustomerId).toBe('cus_1');
    expect(await groups.listGroupsForUser('sub-1')).toEqual(['free']);
  });

  it('writes the profile without a customer id and reports customerError when Stripe is down', async () => {
    // Prepare
    customers.down = true;
    // Act
    const result = await provisionUser(deps, structuredClone(baseUser));
    // Assess
    expect(result.customerError).toBeInstanceOf(DependencyUnavailableError);
    expect(result.stripeCustomerId).toBeUndefined();
    expect(profiles.items.get('sub-1')).toMatchObject({ email: 'alice@example.com' });
    expect(profiles.items.get('sub-1')?.stripeCustomerId).toBeUndefined();
    expect(entitlements.items.get('sub-1')).toMatchObject({ status: 'none', cognitoGroups: ['free'] });
  });

  it('a later run after a Stripe outage creates the customer and links it', async () => {
    // Prepare
    customers.down = true;
    await provisionUser(deps, structuredClone(baseUser));
    customers.down = false;
    // Act
    const result = await provisionUser(deps, structuredClone(baseUser));
    // Assess
    expect(result.stripeCustomerId).toBe('cus_1');
    expect(profiles.items.get('sub-1')?.stripeCustomerId).toBe('cus_1');
  });

  it('keeps the customer id another writer linked first', async () => {
    // Prepare: the profile gains a customer between our read and our link.
    const original = profiles.linkStripeCustomer.bind(profiles);
    profiles.linkStripeCustomer = async (userId: string) => original(userId, 'cus_other');
    // Act
    const result = await provisionUser(deps, structuredClone(baseUser));
    // Assess
    expect(result.stripeCustomerId).toBe('cus_other');
    expect(result.profile.stripeCustomerId).toBe('cus_other');
  });

  it('throws DependencyUnavailableError when DynamoDB fails, so Cognito retries', async () => {
    // Prepare
    profiles.failWith = new DependencyUnavailableError('dynamodb', 'dynamodb profile read failed');
    // Act / Assess
    await expect(provisionUser(deps, structuredClone(baseUser))).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(customers.created).toHaveLength(0);
  });

  it('skips Stripe when createCustomer is false or no gateway is given', async () => {
    // Act
    const withoutOption = await provisionUser(deps, structuredClone(baseUser), { createCustomer: false });
    const withoutGateway = await provisionUser(
      { ...deps, customers: undefined },
      { ...baseUser, sub: 'sub-2', username: 'sub-2' },
    );
    // Assess
    expect(customers.created).toHaveLength(0);
    expect(withoutOption.stripeCustomerId).toBeUndefined();
    expect(withoutGateway.customerError).toBeUndefined();
    expect(profiles.items.get('sub-2')).toBeDefined();
  });
});

describe('provisionUser and account tombstones', () => {
  const deps = (tombstones: MemoryAccountTombstoneStore) => ({
    profiles: new MemoryProfileStore(),
    entitlements: new MemoryEntitlementStore(),
    groups: new MemoryGroupGateway(),
    catalog,
    clock: fixedClock,
    tombstones,
  });

  it('starts the first record of an address whose trial was used (a deleted account) with trialUsed', async () => {
    // Prepare
    const tombstones = new MemoryAccountTombstoneStore();
    await tombstones.markTrialUsed('"alice"@example.com');
    const d = deps(tombstones);
    // Act
    await provisionUser(d, structuredClone(baseUser));
    // Assess
    expect(d.entitlements.items.get('sub-1')).toMatchObject({ status: 'none', trialUsed: true });
  });

  it('starts it with trialUsed false for an address without the mark', async () => {
    // Prepare
    const d = deps(new MemoryAccountTombstoneStore());
    // Act
    await provisionUser(d, structuredClone(baseUser));
    // Assess
    expect(d.entitlements.items.get('sub-1')).toMatchObject({ trialUsed: false });
  });

  it('never provisions a deleted account again (a token outlives its user): nothing is written', async () => {
    // Prepare
    const tombstones = new MemoryAccountTombstoneStore();
    await tombstones.putAccountTombstone({
      userId: 'sub-1',
      entryId: 'account#deleted',
      trigger: 'user',
      requestedAt: '2026-10-01T00:00:00.000Z',
      deletedAt: '2026-10-01T00:00:00.000Z',
      subscriptions: 'cancel-now',
      customer: 'none',
      trialUsed: false,
    });
    const d = deps(tombstones);
    // Act / Assess
    await expect(provisionUser(d, structuredClone(baseUser))).rejects.toBeInstanceOf(AccountDeletedError);
    expect(d.profiles.items.size + d.entitlements.items.size).toBe(0);
  });

  it('refuses a profile whose deletion is under way', async () => {
    // Prepare
    const d = deps(new MemoryAccountTombstoneStore());
    await d.profiles.upsert(
      {
        userId: 'sub-1',
        cognitoUsername: 'sub-1',
        email: 'alice@example.com',
        emailVerified: true,
        identityProvider: 'cognito',
      },
      fixedClock.now(),
    );
    (d.profiles.items.get('sub-1') as { deletion?: unknown }).deletion = { requestedAt: 'x', trigger: 'user' };
    // Act / Assess
    await expect(provisionUser(d, structuredClone(baseUser))).rejects.toThrow(/has been deleted/);
  });
});
