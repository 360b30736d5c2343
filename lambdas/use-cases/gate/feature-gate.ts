import type { Clock } from '../../domain/clock';
import type { EntitlementRecord } from '../../domain/entitlement';
import {
  type AccessDecision,
  type AccessRequirement,
  assertKnownRequirement,
  decideAccess,
  FeatureNotInPlanError,
} from '../../domain/feature-gate';
import type { PlanCatalog } from '../../domain/plan-catalog';
import type { EntitlementReader } from '../../ports/gate-ports';

/**
 * The feature gate: one strongly consistent read of the caller's Entitlements record, the pure decision
 * (domain/feature-gate.ts) with time applied at read, and a short per-container cache of the record.
 *
 * Staleness bound: a decision uses a record read at most `ttlMs` ago (default 5 s, at most 60 s), in this container
 * only. A plan change (webhook, trial, cancel) is therefore seen by every container within `ttlMs`; time-based
 * changes (a trial or grace period ending) are seen at once, since time is applied at each decision, not cached.
 * Concurrent checks for one user share one read; a failed read is never cached (the next check reads again).
 */

export const DEFAULT_GATE_CACHE_TTL_MS = 5_000;
export const MAX_GATE_CACHE_TTL_MS = 60_000;

export interface GateCacheOptions {
  /** 0 disables the cache. */
  ttlMs?: number;
  /** Most users kept; the oldest entry goes first. @default 1000 */
  maxEntries?: number;
  /** Monotonic milliseconds for the cache age (tests pass a fake); not the rules' clock, which may be emulated. */
  nowMs?: () => number;
}

export interface FeatureGateDeps {
  entitlements: EntitlementReader;
  catalog: PlanCatalog;
  clock: Clock;
  cache?: GateCacheOptions;
}

export interface FeatureGate {
  /** The decision for `sub`. Throws only when the record cannot be read (DependencyUnavailableError). */
  check(sub: string, requirement: AccessRequirement): Promise<AccessDecision>;
  /** Same, but throws FeatureNotInPlanError on a denial (the HTTP layer answers 403). */
  assert(sub: string, requirement: AccessRequirement): Promise<void>;
  /** Drops the cached record of `sub` (after this container changed it). */
  forget(sub: string): void;
}

interface CacheEntry {
  readAt: number;
  record: Promise<EntitlementRecord | undefined>;
}

export function createFeatureGate(deps: FeatureGateDeps): FeatureGate {
  const ttlMs = deps.cache?.ttlMs ?? DEFAULT_GATE_CACHE_TTL_MS;
  if (!Number.isFinite(ttlMs) || ttlMs < 0 || ttlMs > MAX_GATE_CACHE_TTL_MS) {
    throw new RangeError(`gate cache ttlMs must be between 0 and ${MAX_GATE_CACHE_TTL_MS}, got ${ttlMs}`);
  }
  const maxEntries = deps.cache?.maxEntries ?? 1000;
  const nowMs = deps.cache?.nowMs ?? (() => performance.now());
  const entries = new Map<string, CacheEntry>();

  const read = (sub: string): Promise<EntitlementRecord | undefined> => {
    const now = nowMs();
    const cached = entries.get(sub);
    if (cached && now - cached.readAt < ttlMs) return cached.record;
    const record = deps.entitlements.get(sub);
    if (ttlMs === 0) return record;
    const entry = { readAt: now, record };
    entries.delete(sub);
    entries.set(sub, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    // A failed read is not kept: the next check reads again.
    record.catch(() => {
      if (entries.get(sub) === entry) entries.delete(sub);
    });
    return record;
  };

  const check = async (sub: string, requirement: AccessRequirement) => {
    assertKnownRequirement(requirement, deps.catalog);
    return decideAccess(await read(sub), requirement, deps.catalog, deps.clock.now());
  };

  return {
    check,
    async assert(sub, requirement) {
      const decision = await check(sub, requirement);
      if (!decision.allowed) throw new FeatureNotInPlanError(decision);
    },
    forget(sub) {
      entries.delete(sub);
    },
  };
}
