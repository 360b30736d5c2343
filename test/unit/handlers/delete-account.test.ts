import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_DELETION } from '../../../lambdas/domain/account-deletion';
import { initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { createDeleteAccountHandler } from '../../../lambdas/handlers/delete-account';
import { MemoryBillingCleanup, MemoryUserCleanup } from '../../support/account-doubles';
import { bodyOf, catalog, fixedClock, jwtEvent, NOW, SUB } from '../../support/api-doubles';
import { MemoryCreditLedgers } from '../../support/credit-doubles';
import { MemoryAccountTombstoneStore } from '../../support/fakes/account-tombstone-store';
import { MemoryEntitlementStore } from '../../support/fakes/entitlement-store';
import { MemoryProfileStore } from '../../support/fakes/profile-store';

const nowSeconds = Math.floor(NOW.getTime() / 1000);
const request = (authTime: unknown = nowSeconds - 30) =>
  jwtEvent({
    method: 'DELETE',
    path: '/account',
    claims: { ...(authTime === 'absent' ? {} : { auth_time: authTime }), 'cognito:username': 'user-1' },
  });

function setup() {
  const profiles = new MemoryProfileStore();
  const entitlements = new MemoryEntitlementStore();
  const users = new MemoryUserCleanup();
  const billing = new MemoryBillingCleanup();
  const tombstones = new MemoryAccountTombstoneStore();
  users.users.add('user-1');
  entitlements.items.set(SUB, initialEntitlementRecord(catalog, { sub: SUB, cognitoUsername: 'user-1' }, NOW));
  const clock = fixedClock();
  const handle = createDeleteAccountHandler({
    deletion: {
      profiles,
      entitlements,
      credits: new MemoryCreditLedgers(),
      users,
      billing: async () => billing,
      tombstones,
      clock,
    },
    settings: DEFAULT_ACCOUNT_DELETION,
    wallClock: clock,
  });
  return { handle, profiles, entitlements, users, tombstones };
}

describe('DELETE /account', () => {
  it('deletes the caller account after a recent sign-in: 200 with what was done', async () => {
    // Prepare
    const { handle, entitlements, users, tombstones } = setup();
    // Act
    const result = await handle(request());
    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      deleted: true,
      deletedAt: NOW.toISOString(),
      subscriptions: 'cancel-now',
      customer: 'none',
    });
    expect(entitlements.items.has(SUB)).toBe(false);
    expect(users.users.size).toBe(0);
    expect(tombstones.accounts.has(SUB)).toBe(true);
  });

  it('answers the same to a repeated request', async () => {
    // Prepare
    const { handle } = setup();
    const first = await handle(request());
    // Act
    const second = await handle(request());
    // Assess
    expect(second).toEqual(first);
  });

  it.each([
    ['no auth_time claim', 'absent'],
    ['a sign-in 6 minutes ago', nowSeconds - 360],
    ['an auth_time that is not a number', 'yesterday'],
    ['an auth_time far in the future', nowSeconds + 3600],
  ])('refuses %s: 403 reauthentication_required, nothing deleted', async (_case, authTime) => {
    // Prepare
    const { handle, entitlements, users } = setup();
    // Act
    const result = await handle(request(authTime));
    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result).error?.code).toBe('reauthentication_required');
    expect(entitlements.items.has(SUB)).toBe(true);
    expect(users.users.size).toBe(1);
  });

  it('accepts the claim as API Gateway passes it (a string)', async () => {
    // Act / Assess
    expect((await setup().handle(request(String(nowSeconds - 10)))).statusCode).toBe(200);
  });

  it('answers 503 when a dependency fails part-way; the retry finishes', async () => {
    // Prepare
    const { handle, users } = setup();
    const deleteUser = users.deleteUser.bind(users);
    users.deleteUser = async () => {
      throw new DependencyUnavailableError('cognito', 'cognito delete user failed (TooManyRequestsException)');
    };
    // Act
    const failed = await handle(request());
    users.deleteUser = deleteUser;
    const retried = await handle(request());
    // Assess
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['retry-after']).toBe('2');
    expect(retried.statusCode).toBe(200);
    expect(users.users.size).toBe(0);
  });

  it('answers 401 without a verified sub', async () => {
    // Act / Assess
    expect((await setup().handle(jwtEvent({ method: 'DELETE', path: '/account', claims: null }))).statusCode).toBe(401);
  });
});
