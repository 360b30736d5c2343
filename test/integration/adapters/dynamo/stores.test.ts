import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { CognitoGroupGateway } from '../../../../lambdas/adapters/cognito/cognito-groups';
import { DynamoEntitlementStore } from '../../../../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../../../../lambdas/adapters/dynamo/profile-store';
import { initialEntitlementRecord } from '../../../../lambdas/domain/entitlement';
import { PlanCatalog } from '../../../../lambdas/domain/plan-catalog';
import type { ProfileInput } from '../../../../lambdas/ports/app-ports';
import { syncCognitoGroups } from '../../../../lambdas/use-cases/entitlement/sync-cognito-groups';
import { uniqueEmail, useEmulatorBackend } from '../../../support/backend';

const catalog = PlanCatalog.defaults();
const now = new Date('2026-11-22T12:00:00Z');
let seq = 0;
const sub = () => `sub-${Date.now()}-${++seq}`;

describe('DynamoProfileStore against dynalite', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const store = () => new DynamoProfileStore(backend().ddb, backend().tables.userProfiles);
  const input = (userId: string, extra: Partial<ProfileInput> = {}): ProfileInput => ({
    userId,
    cognitoUsername: userId,
    email: uniqueEmail(),
    emailVerified: true,
    identityProvider: 'cognito',
    ...extra,
  });

  it('unlinks a customer only while the profile still names it', async () => {
    const id = sub();
    await store().upsert(input(id, { stripeCustomerId: 'cus_gone' }), now);
    expect(await store().unlinkStripeCustomer(id, 'cus_other', now)).toBe(false);
    expect((await store().get(id))?.stripeCustomerId).toBe('cus_gone');
    expect(await store().unlinkStripeCustomer(id, 'cus_gone', now)).toBe(true);
    expect((await store().get(id))?.stripeCustomerId).toBeUndefined();
    expect(await store().unlinkStripeCustomer(id, 'cus_gone', now)).toBe(false);
    expect(await store().linkStripeCustomer(id, 'cus_next', now)).toBe('cus_next');
    expect(await store().unlinkStripeCustomer(sub(), 'cus_gone', now)).toBe(false); // no profile: nothing created
  });

  it('upserts, keeps createdAt, never overwrites a stored customer id, and finds by both indexes', async () => {
    const id = sub();
    const first = await store().upsert(input(id, { stripeCustomerId: 'cus_first' }), now);
    const later = new Date(now.getTime() + 60_000);
    const second = await store().upsert(
      { ...input(id, { stripeCustomerId: 'cus_second' }), email: first.email },
      later,
    );
    expect(second.createdAt).toBe(now.toISOString());
    expect(second.updatedAt).toBe(later.toISOString());
    expect(second.stripeCustomerId).toBe('cus_first');
    expect((await store().findByEmail(first.email)).map((p) => p.userId)).toEqual([id]);
    expect((await store().findByStripeCustomerId('cus_first')).map((p) => p.userId)).toEqual([id]);
  });

  it('finds a profile by any equivalent spelling of its email, including ones stored before IDNA/quote folding', async () => {
    const local = `idn-${Date.now()}-${++seq}`;
    const canonical = sub();
    const legacy = sub();
    await store().upsert(input(canonical, { email: `${local}@bücher.de` }), now);
    await store().upsert(input(legacy, { email: `"${local}"@xn--bcher-kva.de` }), now);
    const found = await store().findByEmail(`"${local.toUpperCase()}"@XN--BCHER-KVA.de`);
    expect(found.map((p) => p.userId).sort()).toEqual([canonical, legacy].sort());
    expect(await store().findByEmail(`${local}@bucher.de`)).toEqual([]);
  });

  it('links a customer once: a second link keeps the first, a missing profile links nothing', async () => {
    const id = sub();
    await store().upsert(input(id), now);
    expect(await store().linkStripeCustomer(id, 'cus_a', now)).toBe('cus_a');
    expect(await store().linkStripeCustomer(id, 'cus_b', now)).toBe('cus_a');
    expect(await store().linkStripeCustomer(sub(), 'cus_c', now)).toBeUndefined();
    expect(await store().findByStripeCustomerId('cus_c')).toEqual([]);
  });
});

describe('DynamoEntitlementStore against dynalite', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const store = () => new DynamoEntitlementStore(backend().ddb, backend().tables.entitlements);

  it('creates only if absent', async () => {
    const record = initialEntitlementRecord(catalog, { sub: sub() }, now);
    expect(await store().createIfAbsent(record)).toBe('written');
    expect(await store().createIfAbsent({ ...record, plan: 'pro' })).toBe('conflict');
    expect((await store().get(record.cognito_sub))?.plan).toBe('free');
  });

  it('writes only against the version read, so one of two racing writers loses', async () => {
    const record = initialEntitlementRecord(catalog, { sub: sub(), email: 'a@x.com' }, now);
    expect(await store().writeIfVersion(record, null)).toBe('written');
    expect(await store().writeIfVersion(record, null)).toBe('conflict');
    const upgraded = { ...record, plan: 'pro' as const, entitlementsVersion: 2, email: undefined };
    const results = await Promise.all([store().writeIfVersion(upgraded, 1), store().writeIfVersion(upgraded, 1)]);
    expect(results.sort()).toEqual(['conflict', 'written']);
    const stored = await store().get(record.cognito_sub);
    expect(stored).toMatchObject({ plan: 'pro', entitlementsVersion: 2 });
    expect(stored).not.toHaveProperty('email');
  });
});

describe('syncCognitoGroups against cognito-local', () => {
  const backend = useEmulatorBackend({ triggers: false });

  it('applies only the difference, records it, and a second run calls nothing', async () => {
    const { cognitoClient, userPool, ddb, tables } = backend();
    const email = uniqueEmail();
    const created = await cognitoClient.send(
      new AdminCreateUserCommand({ UserPoolId: userPool.userPoolId, Username: email, MessageAction: 'SUPPRESS' }),
    );
    const username = created.User?.Username ?? '';
    const groups = new CognitoGroupGateway(cognitoClient, userPool.userPoolId);
    await groups.addUserToGroup(username, 'starter');
    await groups.addUserToGroup(username, 'admins');
    const entitlements = new DynamoEntitlementStore(ddb, tables.entitlements);
    const record = {
      ...initialEntitlementRecord(catalog, { sub: username }, now),
      groups: ['pro'],
      cognitoGroups: ['starter'],
    };
    await entitlements.createIfAbsent(record);
    const calls: string[] = [];
    const counting = {
      addUserToGroup: (u: string, g: string) => {
        calls.push(`+${g}`);
        return groups.addUserToGroup(u, g);
      },
      removeUserFromGroup: (u: string, g: string) => {
        calls.push(`-${g}`);
        return groups.removeUserFromGroup(u, g);
      },
      listGroupsForUser: (u: string) => groups.listGroupsForUser(u),
    };
    const deps = { groups: counting, entitlements, catalog, clock: { now: () => now } };

    expect(await syncCognitoGroups(deps, record, username)).toEqual({
      added: ['pro'],
      removed: ['starter'],
      recorded: 'written',
    });
    expect((await groups.listGroupsForUser(username)).sort()).toEqual(['admins', 'pro']);
    const stored = await entitlements.get(username);
    expect(stored?.cognitoGroups).toEqual(['pro']);

    calls.length = 0;
    if (!stored) throw new Error('record missing');
    expect(await syncCognitoGroups(deps, stored, username)).toEqual({ added: [], removed: [], recorded: 'unchanged' });
    expect(calls).toEqual([]);
  });

  it('records the applied groups only at the expected version when one is given', async () => {
    const { ddb, tables } = backend();
    const entitlements = new DynamoEntitlementStore(ddb, tables.entitlements);
    const owner = sub();
    const record = { ...initialEntitlementRecord(catalog, { sub: owner }, now), cognitoGroups: ['free'] };
    await entitlements.createIfAbsent(record);
    const version = record.entitlementsVersion;

    expect(await entitlements.setCognitoGroups(owner, ['pro'], now, version + 1)).toBe('conflict');
    expect((await entitlements.get(owner))?.cognitoGroups).toEqual(['free']);
    expect(await entitlements.setCognitoGroups(owner, ['pro'], now, version)).toBe('written');
    expect((await entitlements.get(owner))?.cognitoGroups).toEqual(['pro']);
    expect(await entitlements.setCognitoGroups(sub(), ['pro'], now, version)).toBe('conflict');
  });

  it('owns the applied groups: an update never restores a stale value, a recorder compare-and-sets their version', async () => {
    const { ddb, tables } = backend();
    const entitlements = new DynamoEntitlementStore(ddb, tables.entitlements);
    const owner = sub();
    const record = { ...initialEntitlementRecord(catalog, { sub: owner }, now), cognitoGroups: ['free'] };
    await entitlements.createIfAbsent(record);
    const read = await entitlements.get(owner);
    if (!read) throw new Error('record missing');

    // Another applier records ['pro'] after our read; our update (carrying the stale ['free']) keeps its record.
    expect(await entitlements.setCognitoGroups(owner, ['pro'], now, read.entitlementsVersion, 0)).toBe('written');
    const next = { ...read, groups: ['pro'], plan: 'pro' as const, entitlementsVersion: read.entitlementsVersion + 1 };
    expect(await entitlements.writeIfVersion(next, read.entitlementsVersion)).toBe('written');
    expect(await entitlements.get(owner)).toMatchObject({
      groups: ['pro'],
      cognitoGroups: ['pro'],
      cognitoGroupsVersion: 1,
    });

    // A recorder that read groups version 0 lost to the one above; version 1 wins and bumps it.
    expect(await entitlements.setCognitoGroups(owner, ['business'], now, next.entitlementsVersion, 0)).toBe('conflict');
    expect(await entitlements.setCognitoGroups(owner, ['pro'], now, next.entitlementsVersion, 1)).toBe('written');

    // Marked unverified: the version moves (a recorder that read before loses), the next record clears the mark.
    await entitlements.markCognitoGroupsUnverified(owner, now);
    expect(await entitlements.get(owner)).toMatchObject({ cognitoGroupsUnverified: true, cognitoGroupsVersion: 3 });
    expect(await entitlements.setCognitoGroups(owner, ['pro'], now, next.entitlementsVersion, 2)).toBe('conflict');
    expect(await entitlements.setCognitoGroups(owner, ['pro'], now, next.entitlementsVersion, 3)).toBe('written');
    expect((await entitlements.get(owner))?.cognitoGroupsUnverified).toBeUndefined();
    // An unconditional record (reconcile, a trial) leaves a mark for the next applier to clear.
    await entitlements.markCognitoGroupsUnverified(owner, now);
    expect(await entitlements.setCognitoGroups(owner, ['pro'], now)).toBe('written');
    expect((await entitlements.get(owner))?.cognitoGroupsUnverified).toBe(true);
    await entitlements.markCognitoGroupsUnverified(sub(), now); // absent: no-op, no item created
  });
});
