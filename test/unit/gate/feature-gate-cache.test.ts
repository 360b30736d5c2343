import { describe, expect, it } from 'vitest';
import { type EntitlementRecord, initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { FeatureNotInPlanError } from '../../../lambdas/domain/feature-gate';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { EntitlementReader } from '../../../lambdas/ports/gate-ports';
import { createFeatureGate } from '../../../lambdas/use-cases/gate/feature-gate';

const catalog = PlanCatalog.defaults();
const now = new Date('2030-01-15T12:00:00Z');
const clock = { now: () => now };

/** An Entitlements reader that counts reads and can be told to fail or to hold a read open. */
class CountingReader implements EntitlementReader {
  readonly records = new Map<string, EntitlementRecord>();
  reads = 0;
  failNext = 0;
  async get(sub: string) {
    this.reads += 1;
    await Promise.resolve();
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new DependencyUnavailableError('dynamodb', 'entitlement read failed (ThrottlingException)');
    }
    const record = this.records.get(sub);
    return record ? structuredClone(record) : undefined;
  }
  put(sub: string, plan: 'free' | 'pro') {
    const record = initialEntitlementRecord(catalog, { sub }, now);
    if (plan === 'pro') {
      Object.assign(record, {
        status: 'active',
        plan: 'pro',
        entitled: true,
        features: [...catalog.plan('pro').features],
        groups: ['pro'],
      });
    }
    this.records.set(sub, record);
  }
}

function setup(ttlMs?: number, maxEntries?: number) {
  const reader = new CountingReader();
  let ms = 1_000;
  const gate = createFeatureGate({
    entitlements: reader,
    catalog,
    clock,
    cache: { ...(ttlMs === undefined ? {} : { ttlMs }), ...(maxEntries ? { maxEntries } : {}), nowMs: () => ms },
  });
  return { reader, gate, advance: (by: number) => (ms += by) };
}

const PRO_FEATURE = { feature: 'scheduled-backups' } as const;

describe('feature gate cache: the staleness bound', () => {
  it('reads once per user within the TTL and again after it, so a plan change is seen within ttlMs', async () => {
    // Prepare
    const { reader, gate, advance } = setup(5_000);
    reader.put('u1', 'free');

    // Act
    const first = await gate.check('u1', PRO_FEATURE);
    reader.put('u1', 'pro'); // the webhook upgrades the user
    advance(4_999);
    const stillCached = await gate.check('u1', PRO_FEATURE);
    advance(1);
    const fresh = await gate.check('u1', PRO_FEATURE);

    // Assess
    expect(first.allowed).toBe(false);
    expect(stillCached.allowed).toBe(false);
    expect(fresh.allowed).toBe(true);
    expect(reader.reads).toBe(2);
  });

  it('shares one read between concurrent checks of one user', async () => {
    // Prepare
    const { reader, gate } = setup();
    reader.put('u1', 'pro');

    // Act
    const decisions = await Promise.all([gate.check('u1', PRO_FEATURE), gate.check('u1', { plan: 'pro' })]);

    // Assess
    expect(decisions.map((d) => d.allowed)).toEqual([true, true]);
    expect(reader.reads).toBe(1);
  });

  it('never keeps a failed read: the failure is thrown, the next check reads again', async () => {
    // Prepare
    const { reader, gate } = setup();
    reader.put('u1', 'pro');
    reader.failNext = 1;

    // Act
    const failed = gate.check('u1', PRO_FEATURE);
    await expect(failed).rejects.toThrow(DependencyUnavailableError);
    const retried = await gate.check('u1', PRO_FEATURE);

    // Assess
    expect(retried.allowed).toBe(true);
    expect(reader.reads).toBe(2);
  });

  it('with ttlMs 0 reads on every check; forget() drops one user', async () => {
    // Prepare
    const uncached = setup(0);
    uncached.reader.put('u1', 'pro');
    const cached = setup();
    cached.reader.put('u1', 'pro');

    // Act
    await uncached.gate.check('u1', PRO_FEATURE);
    await uncached.gate.check('u1', PRO_FEATURE);
    await cached.gate.check('u1', PRO_FEATURE);
    cached.gate.forget('u1');
    await cached.gate.check('u1', PRO_FEATURE);

    // Assess
    expect(uncached.reader.reads).toBe(2);
    expect(cached.reader.reads).toBe(2);
  });

  it('keeps at most maxEntries users, dropping the oldest', async () => {
    // Prepare
    const { reader, gate } = setup(5_000, 2);
    for (const sub of ['a', 'b', 'c']) reader.put(sub, 'free');

    // Act
    for (const sub of ['a', 'b', 'c', 'c', 'b', 'a']) await gate.check(sub, PRO_FEATURE);

    // Assess: a, b, c read; c and b cached; a was evicted and read again
    expect(reader.reads).toBe(4);
  });

  it('refuses a TTL above the documented bound of 60 s', () => {
    // Act / Assess
    expect(() => setup(60_001)).toThrow('gate cache ttlMs must be between 0 and 60000, got 60001');
  });
});

describe('feature gate: assert (plain-function form)', () => {
  it('throws FeatureNotInPlanError carrying the decision on a denial, and nothing when allowed', async () => {
    // Prepare
    const { reader, gate } = setup();
    reader.put('free-user', 'free');
    reader.put('pro-user', 'pro');

    // Act
    const denial = await gate.assert('free-user', PRO_FEATURE).catch((error: unknown) => error);

    // Assess
    await expect(gate.assert('pro-user', PRO_FEATURE)).resolves.toBeUndefined();
    expect(denial).toBeInstanceOf(FeatureNotInPlanError);
    expect(denial).toMatchObject({
      message: 'The feature "scheduled-backups" is not in your plan (free). Upgrade to pro or higher to use it.',
      decision: { requiredFeature: 'scheduled-backups', currentPlan: 'free', requiredPlan: 'pro' },
    });
  });
});
