import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../../lambdas/domain/errors';
import { createAdminAccess, MAX_ADMIN_CHECK_TTL_MS } from '../../../../lambdas/use-cases/identity/admin-access';
import { useLogCapture } from '../../../support/logs';

/** Cognito's group membership as the gateway reads it, counting calls; can fail or hold a call open. */
class LiveGroups {
  readonly members = new Map<string, string[]>();
  calls: string[] = [];
  failNext = 0;
  async listGroupsForUser(username: string) {
    this.calls.push(username);
    await Promise.resolve();
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new DependencyUnavailableError('cognito', 'cognito list groups failed (TooManyRequestsException)');
    }
    return this.members.get(username) ?? [];
  }
}

const admin = { sub: 'sub-1', username: 'user-1', groups: ['admins', 'free'] };

function setup(ttlMs?: number) {
  const live = new LiveGroups();
  let now = 0;
  const access = createAdminAccess({
    groups: live,
    cache: { ...(ttlMs === undefined ? {} : { ttlMs }), nowMs: () => now },
  });
  return { live, access, advance: (ms: number) => (now += ms) };
}

describe('admin access: live membership, cached briefly', () => {
  const logs = useLogCapture();

  it('admits a caller claiming admins who is a member now, asking Cognito by username', async () => {
    // Prepare
    const { live, access } = setup();
    live.members.set('user-1', ['admins']);
    // Act / Assess
    expect(await access.isAdmin(admin)).toBe(true);
    expect(live.calls).toEqual(['user-1']);
  });

  it('refuses a token that still claims admins after the user was removed, and says so in the log', async () => {
    // Prepare
    const { live, access } = setup();
    live.members.set('user-1', ['free']);
    // Act / Assess
    expect(await access.isAdmin(admin)).toBe(false);
    expect(logs.warnings()).toEqual([
      'Admin route refused: the token claims admins but Cognito no longer lists the user there',
    ]);
  });

  it('refuses a token without the claim without asking Cognito', async () => {
    // Prepare
    const { live, access } = setup();
    live.members.set('user-1', ['admins']);
    // Act / Assess
    expect(await access.isAdmin({ ...admin, groups: ['free'] })).toBe(false);
    expect(live.calls).toEqual([]);
  });

  it('asks by sub when the token names no username', async () => {
    // Prepare
    const { live, access } = setup();
    live.members.set('sub-1', ['admins']);
    // Act / Assess
    expect(await access.isAdmin({ sub: 'sub-1', groups: ['admins'] })).toBe(true);
    expect(live.calls).toEqual(['sub-1']);
  });

  it('reuses an answer for at most ttlMs: a removal is seen once the entry is older', async () => {
    // Prepare
    const { live, access, advance } = setup(5_000);
    live.members.set('user-1', ['admins']);
    expect(await access.isAdmin(admin)).toBe(true);
    live.members.set('user-1', []);
    // Act
    advance(4_999);
    const withinTtl = await access.isAdmin(admin);
    advance(1);
    const afterTtl = await access.isAdmin(admin);
    // Assess
    expect(withinTtl).toBe(true);
    expect(afterTtl).toBe(false);
    expect(live.calls).toHaveLength(2);
  });

  it('shares one call among concurrent checks, and never caches a failure', async () => {
    // Prepare
    const { live, access } = setup();
    live.members.set('user-1', ['admins']);
    live.failNext = 1;
    // Act
    const concurrent = await Promise.allSettled([access.isAdmin(admin), access.isAdmin(admin)]);
    const retried = await access.isAdmin(admin);
    // Assess
    expect(concurrent.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect((concurrent[0] as PromiseRejectedResult).reason).toBeInstanceOf(DependencyUnavailableError);
    expect(retried).toBe(true);
    expect(live.calls).toHaveLength(2);
  });

  it('asks every time with ttlMs 0, and refuses a ttl above the bound', async () => {
    // Prepare
    const { live, access } = setup(0);
    live.members.set('user-1', ['admins']);
    // Act
    await access.isAdmin(admin);
    await access.isAdmin(admin);
    // Assess
    expect(live.calls).toHaveLength(2);
    expect(() => createAdminAccess({ groups: live, cache: { ttlMs: MAX_ADMIN_CHECK_TTL_MS + 1 } })).toThrow(RangeError);
  });
});
