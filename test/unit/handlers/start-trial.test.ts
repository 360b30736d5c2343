import { beforeEach, describe, expect, it } from 'vitest';
import type { EntitlementRecord } from '../../../lambdas/domain/entitlement';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { createStartTrialHandler } from '../../../lambdas/handlers/start-trial';
import {
  baseProfile,
  baseRecord,
  bodyOf,
  catalog,
  fixedClock,
  jwtEvent,
  proRecord,
  SUB,
} from '../../support/api-doubles';
import { MemoryAccountTombstoneStore } from '../../support/fakes/account-tombstone-store';
import { MemoryCustomerGateway } from '../../support/fakes/customer-gateway';
import { MemoryEntitlementStore } from '../../support/fakes/entitlement-store';
import { MemoryGroupGateway } from '../../support/fakes/group-gateway';
import { MemoryProfileStore } from '../../support/fakes/profile-store';
import { activeSubscription, memoryHealer } from '../../support/heal-doubles';

const post = (body?: string) => jwtEvent({ method: 'POST', path: '/subscription/trial', body });

describe('POST /subscription/trial', () => {
  let entitlements: MemoryEntitlementStore;
  let groups: MemoryGroupGateway;
  let handle: ReturnType<typeof createStartTrialHandler>;

  let healer: ReturnType<typeof memoryHealer>;

  beforeEach(() => {
    entitlements = new MemoryEntitlementStore();
    groups = new MemoryGroupGateway();
    entitlements.items.set(SUB, baseRecord());
    const profiles = new MemoryProfileStore();
    profiles.items.set(SUB, { ...structuredClone(baseProfile), stripeCustomerId: 'cus_1' });
    const clock = fixedClock();
    healer = memoryHealer({ entitlements, profiles, groups, customers: new MemoryCustomerGateway(), catalog, clock });
    healer.source.addUser(SUB, 'alice@example.com');
    handle = createStartTrialHandler({ entitlements, groups, catalog, clock, heal: healer.heal });
  });

  it('starts the 14-day trial with the trial plan features and moves the user to the trial group', async () => {
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({
      status: 'trialing',
      revokedReason: null,
      plan: 'trial',
      entitled: true,
      features: catalog.plan('trial').features,
      groups: ['trial'],
      currentPeriodEnd: null,
      trialEndsAt: '2030-01-29T12:00:00.000Z',
      cancelAtPeriodEnd: false,
      cancelAt: null,
      source: 'trial',
      overrideEndsAt: null,
      entitlementsVersion: 2,
      refreshTokens: true,
    });
    expect(entitlements.items.get(SUB)).toMatchObject({
      status: 'trialing',
      trialUsed: true,
      groups: ['trial'],
      cognitoGroups: ['trial'],
      entitlementsVersion: 2,
    });
    expect(groups.log).toEqual([`add ${SUB} trial`, `remove ${SUB} free`]);
  });

  it('is 409 the second time and writes nothing', async () => {
    // Prepare
    await handle(post());
    const writes = entitlements.writes;
    // Act
    const second = await handle(post());
    // Assess
    expect(second.statusCode).toBe(409);
    expect(bodyOf(second).error?.code).toBe('trial_already_used');
    expect(entitlements.writes).toBe(writes);
  });

  it('is 409 after the trial expired too (one trial per identity)', async () => {
    // Prepare
    const record: EntitlementRecord = {
      ...baseRecord(),
      status: 'expired',
      trialUsed: true,
      trialEndsAt: '2030-01-01T00:00:00.000Z',
    };
    entitlements.items.set(SUB, record);
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(409);
  });

  it('is 409 for a user who had a Stripe trial (trialUsed) even though never on the no-card trial', async () => {
    // Prepare
    entitlements.items.set(SUB, { ...baseRecord(), trialUsed: true });
    // Act
    const result = await handle(post());
    // Assess
    expect(bodyOf(result).error?.code).toBe('trial_already_used');
  });

  it('is 409 already_subscribed for an entitled paid subscriber', async () => {
    // Prepare
    entitlements.items.set(SUB, proRecord());
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result).error?.code).toBe('already_subscribed');
    expect(entitlements.items.get(SUB)?.plan).toBe('pro');
  });

  it('lets exactly one of two concurrent requests win', async () => {
    // Act
    const results = await Promise.all([handle(post()), handle(post())]);
    // Assess
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(entitlements.writes).toBe(1);
  });

  it('retries when a webhook changed the record in between, and still starts the trial', async () => {
    // Prepare: the first conditional write loses to a concurrent non-trial update.
    const write = entitlements.writeIfVersion.bind(entitlements);
    let first = true;
    entitlements.writeIfVersion = async (record, expected) => {
      if (first) {
        first = false;
        const current = entitlements.items.get(SUB);
        if (current) current.entitlementsVersion += 1;
        return 'conflict';
      }
      return write(record, expected);
    };
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(201);
    expect(entitlements.items.get(SUB)?.entitlementsVersion).toBe(3);
  });

  it('heals a missing record first, then starts the trial', async () => {
    // Prepare
    entitlements.items.clear();
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(201);
    expect(healer.calls).toEqual([SUB]);
    expect(entitlements.items.get(SUB)).toMatchObject({ plan: 'trial', trialUsed: true, stripeCustomerId: 'cus_1' });
  });

  it('is 409 already_subscribed when the healed record of a paying customer comes back from Stripe', async () => {
    // Prepare
    entitlements.items.clear();
    healer.source.stripeCustomers.push({
      id: 'cus_1',
      metadata: { cognito_sub: SUB },
      created: 1,
      subscriptions: [activeSubscription('sub_live', 'cus_1', 'pro_monthly')],
      complete: false,
    });
    // Act
    const result = await handle(post());
    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result).error?.code).toBe('already_subscribed');
    expect(entitlements.items.get(SUB)).toMatchObject({ plan: 'pro', entitled: true, groups: ['pro'] });
    expect(await groups.listGroupsForUser(SUB)).toEqual(['pro']);
  });

  it('is 503 when Cognito fails after the write, and the retry (409) finishes the group change', async () => {
    // Prepare
    const add = groups.addUserToGroup.bind(groups);
    groups.addUserToGroup = async () => {
      throw new DependencyUnavailableError('cognito', 'cognito add to group trial failed');
    };
    // Act
    const first = await handle(post());
    groups.addUserToGroup = add;
    const retry = await handle(post());
    // Assess
    expect(first.statusCode).toBe(503);
    expect(retry.statusCode).toBe(409);
    expect(entitlements.items.get(SUB)?.cognitoGroups).toEqual(['trial']);
    expect(await groups.listGroupsForUser(SUB)).toEqual(['trial']);
  });

  describe('the email trial-used mark (an earlier account with the same address)', () => {
    let trialMarks: MemoryAccountTombstoneStore;
    beforeEach(() => {
      trialMarks = new MemoryAccountTombstoneStore();
      handle = createStartTrialHandler({
        entitlements,
        groups,
        catalog,
        clock: fixedClock(),
        trialMarks,
        heal: healer.heal,
      });
    });

    it('is 409 trial_already_used for an email whose trial was used, and writes nothing', async () => {
      // Prepare
      trialMarks.emails.add('alice@example.com');
      // Act
      const result = await handle(post());
      // Assess
      expect(result.statusCode).toBe(409);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'trial_already_used' } });
      expect(entitlements.items.get(SUB)).toMatchObject({ plan: 'free', trialUsed: false });
    });

    it('marks the email when the trial starts', async () => {
      // Act
      const result = await handle(post());
      // Assess
      expect(result.statusCode).toBe(201);
      expect([...trialMarks.emails]).toEqual(['alice@example.com']);
    });

    it('is 503 when the mark cannot be written, and the retry (409) writes it', async () => {
      // Prepare
      trialMarks.failNextMark = 1;
      // Act
      const first = await handle(post());
      const retry = await handle(post());
      // Assess
      expect(first.statusCode).toBe(503);
      expect(retry.statusCode).toBe(409);
      expect([...trialMarks.emails]).toEqual(['alice@example.com']);
    });
  });

  it('is 400 for an unexpected body field', async () => {
    // Act
    const result = await handle(post(JSON.stringify({ days: 90 })));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error?.message).toBe('days: unknown field');
    expect(entitlements.writes).toBe(0);
  });

  it('is 401 without a verified sub', async () => {
    // Act
    const result = await handle(jwtEvent({ claims: null }));
    // Assess
    expect(result.statusCode).toBe(401);
  });
});
