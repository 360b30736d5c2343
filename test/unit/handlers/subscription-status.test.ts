import { beforeEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { createSubscriptionStatusHandler } from '../../../lambdas/handlers/subscription-status';
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
import { MemoryCreditLedgers } from '../../support/credit-doubles';
import { MemoryCustomerGateway } from '../../support/fakes/customer-gateway';
import { MemoryEntitlementStore } from '../../support/fakes/entitlement-store';
import { MemoryGroupGateway } from '../../support/fakes/group-gateway';
import { MemoryProfileStore } from '../../support/fakes/profile-store';
import { memoryHealer } from '../../support/heal-doubles';

describe('GET /subscription/status', () => {
  let entitlements: MemoryEntitlementStore;
  let profiles: MemoryProfileStore;
  let groups: MemoryGroupGateway;
  let clock: ReturnType<typeof fixedClock>;
  let credits: MemoryCreditLedgers;
  let healer: ReturnType<typeof memoryHealer>;
  let handle: ReturnType<typeof createSubscriptionStatusHandler>;

  beforeEach(() => {
    entitlements = new MemoryEntitlementStore();
    profiles = new MemoryProfileStore();
    groups = new MemoryGroupGateway();
    clock = fixedClock();
    credits = new MemoryCreditLedgers();
    healer = memoryHealer({ entitlements, profiles, groups, customers: new MemoryCustomerGateway(), catalog, clock });
    healer.source.addUser(SUB, 'alice@example.com', { givenName: 'Alice', familyName: 'Liddell' });
    profiles.items.set(SUB, { ...structuredClone(baseProfile), stripeCustomerId: 'cus_linked' });
    handle = createSubscriptionStatusHandler({ entitlements, profiles, catalog, clock, heal: healer.heal, credits });
  });

  it('answers the stored entitlement with no-store and every field of the contract', async () => {
    // Prepare
    entitlements.items.set(SUB, proRecord());
    // Act
    const result = await handle(jwtEvent({ claims: { 'cognito:groups': '[pro]' } }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    expect(bodyOf(result)).toEqual({
      status: 'active',
      revokedReason: null,
      plan: 'pro',
      entitled: true,
      features: catalog.plan('pro').features,
      groups: ['pro'],
      currentPeriodEnd: '2030-02-01T00:00:00.000Z',
      trialEndsAt: null,
      cancelAtPeriodEnd: false,
      cancelAt: null,
      source: 'stripe',
      overrideEndsAt: null,
      entitlementsVersion: 4,
      refreshTokens: false,
      credits: { balance: 0 },
    });
  });

  it.each([
    ['a positive balance', 700],
    ['a negative balance (a refunded pack already spent), shown as such', -40],
  ])('answers the credit balance from the ledger: %s', async (_name, balance) => {
    // Prepare
    entitlements.items.set(SUB, proRecord());
    credits.items.set(SUB, { sub: SUB, balance, version: 3, grants: {}, updatedAt: '2026-12-01T00:00:00.000Z' });
    // Act
    const result = await handle(jwtEvent({ claims: { 'cognito:groups': '[pro]' } }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).credits).toEqual({ balance });
  });

  it('is 503 when the credit ledger cannot be read', async () => {
    // Prepare
    entitlements.items.set(SUB, proRecord());
    credits.failWith = new DependencyUnavailableError('dynamodb', 'credit ledger read');
    // Act
    const result = await handle(jwtEvent({ claims: { 'cognito:groups': '[pro]' } }));
    // Assess
    expect(result.statusCode).toBe(503);
  });

  it('reads an ended trial as not entitled although the record still says trialing', async () => {
    // Prepare
    const record = structuredClone(baseRecord());
    Object.assign(record, {
      status: 'trialing',
      plan: 'trial',
      entitled: true,
      groups: ['trial'],
      cognitoGroups: ['trial'],
      trialEndsAt: '2030-01-15T11:59:59.000Z',
      trialUsed: true,
    });
    entitlements.items.set(SUB, record);
    // Act
    const body = bodyOf(await handle(jwtEvent({ claims: { 'cognito:groups': '[trial]' } })));
    // Assess
    expect(body).toMatchObject({ status: 'expired', plan: 'free', entitled: false, groups: ['free'] });
    expect(body.trialEndsAt).toBe('2030-01-15T11:59:59.000Z');
  });

  it('asks for a token refresh when the token groups differ from the applied groups', async () => {
    // Prepare
    entitlements.items.set(SUB, proRecord());
    // Act
    const body = bodyOf(await handle(jwtEvent({ claims: { 'cognito:groups': '[free admins]' } })));
    // Assess
    expect(body.refreshTokens).toBe(true);
  });

  it('ignores unmanaged groups (admins) when comparing', async () => {
    // Prepare
    entitlements.items.set(SUB, proRecord());
    // Act
    const body = bodyOf(await handle(jwtEvent({ claims: { 'cognito:groups': '[pro admins]' } })));
    // Assess
    expect(body.refreshTokens).toBe(false);
  });

  it('does not ask for a refresh while Cognito has not applied the new groups yet', async () => {
    // Prepare
    const record = proRecord();
    record.cognitoGroups = ['free'];
    entitlements.items.set(SUB, record);
    // Act
    const body = bodyOf(await handle(jwtEvent({ claims: { 'cognito:groups': '[free]' } })));
    // Assess
    expect(body.refreshTokens).toBe(false);
  });

  it('answers from one round trip without healing when both rows are there', async () => {
    // Prepare
    entitlements.items.set(SUB, proRecord());
    // Act
    await handle(jwtEvent({ claims: { 'cognito:groups': '[pro]' } }));
    // Assess
    expect(healer.calls).toEqual([]);
    expect(healer.source.stripeReads).toBe(0);
  });

  it('heals a caller whose profile links no Stripe customer (a sign-up whose Stripe call failed): one is created', async () => {
    // Prepare
    profiles.items.set(SUB, structuredClone(baseProfile));
    // Act
    const result = await handle(jwtEvent({ claims: { 'cognito:groups': '[free]' } }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(healer.calls).toEqual([SUB]);
    expect(profiles.items.get(SUB)?.stripeCustomerId).toBe('cus_1');
  });

  it('heals a caller with no profile and no record from the Cognito user and answers none', async () => {
    // Prepare
    profiles.items.clear();
    // Act
    const result = await handle(jwtEvent({ claims: { 'cognito:groups': undefined } }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'none', plan: 'free', entitled: false, groups: ['free'] });
    expect(profiles.items.get(SUB)).toMatchObject({
      email: 'alice@example.com',
      emailVerified: true,
      givenName: 'Alice',
      identityProvider: 'cognito',
    });
    expect(entitlements.items.get(SUB)).toMatchObject({ status: 'none', cognitoGroups: ['free'] });
    expect(groups.log).toEqual([`add ${SUB} free`]);
  });

  it('heals with the Cognito user whatever the token claims (an access token has no email)', async () => {
    // Prepare
    profiles.items.clear();
    // Act
    const result = await handle(jwtEvent({ claims: { email: undefined } }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(profiles.items.get(SUB)?.email).toBe('alice@example.com');
  });

  it('recreates a lost profile of a paying customer, linked to the customer carrying its sub', async () => {
    // Prepare
    profiles.items.clear();
    entitlements.items.set(SUB, proRecord());
    healer.source.stripeCustomers.push({
      id: 'cus_existing',
      metadata: { cognito_sub: SUB },
      created: 1,
      subscriptions: [],
      complete: false,
    });
    // Act
    const result = await handle(jwtEvent({ claims: { 'cognito:groups': '[pro]' } }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(profiles.items.get(SUB)).toMatchObject({ email: 'alice@example.com', stripeCustomerId: 'cus_existing' });
  });

  it('keeps an existing profile (and its customer) when only the record is missing', async () => {
    // Prepare
    profiles.items.set(SUB, { ...structuredClone(baseProfile), stripeCustomerId: 'cus_kept' });
    // Act
    const result = await handle(jwtEvent());
    // Assess
    expect(result.statusCode).toBe(200);
    expect(profiles.items.get(SUB)?.stripeCustomerId).toBe('cus_kept');
    expect(entitlements.items.get(SUB)?.stripeCustomerId).toBe('cus_kept');
  });

  it('is 404 account_deleted and recreates nothing when the Cognito user is gone', async () => {
    // Prepare
    profiles.items.clear();
    healer.source.users.clear();
    // Act
    const result = await handle(jwtEvent());
    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result).error?.code).toBe('account_deleted');
    expect(profiles.items.size).toBe(0);
    expect(entitlements.items.size).toBe(0);
  });

  it('is 401 without a verified sub', async () => {
    // Act
    const result = await handle(jwtEvent({ claims: null }));
    // Assess
    expect(result.statusCode).toBe(401);
    expect(bodyOf(result).error?.code).toBe('unauthenticated');
  });

  it('is 503 with a retry hint when DynamoDB is down', async () => {
    // Prepare
    entitlements.get = async () => {
      throw new DependencyUnavailableError('dynamodb', 'dynamodb entitlement read failed (ThrottlingException)');
    };
    // Act
    const result = await handle(jwtEvent());
    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toBe('2');
    expect(bodyOf(result).error).toEqual({
      code: 'service_unavailable',
      message: 'dynamodb is temporarily unavailable: retry in a few seconds.',
    });
  });

  it('is 503 when healing cannot reach Cognito, and a retry finishes the heal', async () => {
    // Prepare
    const add = groups.addUserToGroup.bind(groups);
    groups.addUserToGroup = async () => {
      throw new DependencyUnavailableError('cognito', 'cognito add to group free failed');
    };
    // Act
    const first = await handle(jwtEvent());
    groups.addUserToGroup = add;
    const second = await handle(jwtEvent());
    // Assess
    expect(first.statusCode).toBe(503);
    expect(second.statusCode).toBe(200);
    expect(entitlements.items.get(SUB)?.cognitoGroups).toEqual(['free']);
  });

  it('still serves a stored status when finishing its pending group change fails', async () => {
    // Prepare
    const record = baseRecord();
    record.cognitoGroups = [];
    entitlements.items.set(SUB, record);
    groups.addUserToGroup = async () => {
      throw new DependencyUnavailableError('cognito', 'cognito add to group free failed');
    };
    // Act
    const result = await handle(jwtEvent());
    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'none', groups: ['free'] });
  });

  it('is a generic 500 without internals for an unexpected error', async () => {
    // Prepare
    entitlements.get = async () => {
      throw new TypeError('secret internal detail at line 42');
    };
    // Act
    const result = await handle(jwtEvent());
    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret internal detail');
    expect(bodyOf(result).error?.code).toBe('internal_error');
  });
});
