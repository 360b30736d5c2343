import { ADMIN_GROUP } from '../../domain/plan-catalog-schema';
import { logger } from '../../platform/logger';
import type { GroupGateway } from '../../ports/app-ports';

/**
 * Who may use the admin routes: a caller whose verified token claims the `admins` group **and** who is a member of
 * it in Cognito now (one AdminListGroupsForUser call). A token keeps its groups claim for up to an hour after an
 * operator is removed from `admins`; the live check refuses such a token at the next call once the cached answer
 * (if any) is older than `ttlMs`. A token without the claim is refused without a Cognito call: an operator just
 * added refreshes their tokens.
 *
 * Staleness bound: an answer is reused for at most `ttlMs` (default 5 s, at most 60 s) in this container only.
 * Concurrent checks of one user share one call; a failed call is never cached and propagates
 * (DependencyUnavailableError: the route answers 503, never lets the caller in).
 */

export const DEFAULT_ADMIN_CHECK_TTL_MS = 5_000;
export const MAX_ADMIN_CHECK_TTL_MS = 60_000;

export interface AdminAccessDeps {
  groups: Pick<GroupGateway, 'listGroupsForUser'>;
  cache?: {
    /** 0 disables the cache. */
    ttlMs?: number;
    /** Most users kept; the oldest entry goes first. @default 100 */
    maxEntries?: number;
    /** Monotonic milliseconds for the cache age (tests pass a fake). */
    nowMs?: () => number;
  };
}

export interface AdminCaller {
  sub: string;
  /** Cognito username (`cognito:username`); the sub when absent (email sign-in pools use the sub). */
  username?: string;
  /** Groups claimed by the verified token. */
  groups: readonly string[];
}

export interface AdminAccess {
  /** True only for a caller claiming `admins` who is a member now. Throws when Cognito cannot be asked. */
  isAdmin(caller: AdminCaller): Promise<boolean>;
}

interface Entry {
  at: number;
  member: Promise<boolean>;
}

export function createAdminAccess(deps: AdminAccessDeps): AdminAccess {
  const ttlMs = deps.cache?.ttlMs ?? DEFAULT_ADMIN_CHECK_TTL_MS;
  if (!Number.isFinite(ttlMs) || ttlMs < 0 || ttlMs > MAX_ADMIN_CHECK_TTL_MS) {
    throw new RangeError(`admin check ttlMs must be between 0 and ${MAX_ADMIN_CHECK_TTL_MS}, got ${ttlMs}`);
  }
  const maxEntries = deps.cache?.maxEntries ?? 100;
  const nowMs = deps.cache?.nowMs ?? (() => performance.now());
  const entries = new Map<string, Entry>();

  const liveMember = (username: string): Promise<boolean> => {
    const now = nowMs();
    const cached = entries.get(username);
    if (cached && now - cached.at < ttlMs) return cached.member;
    const member = deps.groups.listGroupsForUser(username).then((groups) => groups.includes(ADMIN_GROUP.name));
    if (ttlMs === 0) return member;
    const entry = { at: now, member };
    entries.delete(username);
    entries.set(username, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    member.catch(() => {
      if (entries.get(username) === entry) entries.delete(username);
    });
    return member;
  };

  return {
    async isAdmin(caller) {
      if (!caller.groups.includes(ADMIN_GROUP.name)) return false;
      const member = await liveMember(caller.username ?? caller.sub);
      if (!member) {
        logger.warn('Admin route refused: the token claims admins but Cognito no longer lists the user there', {
          sub: caller.sub,
        });
      }
      return member;
    },
  };
}
