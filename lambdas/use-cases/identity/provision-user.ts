import { AccountDeletedError } from '../../domain/account-deletion';
import type { ConfirmedUser } from '../../domain/cognito-user';
import { normaliseEmail } from '../../domain/email';
import { type EntitlementRecord, initialEntitlementRecord } from '../../domain/entitlement';
import type { PlanCatalog } from '../../domain/plan-catalog';
import { logger } from '../../platform/logger';
import type { AccountTombstoneReader } from '../../ports/account-ports';
import type {
  Clock,
  CustomerGateway,
  EntitlementStore,
  GroupGateway,
  ProfileStore,
  UserProfile,
} from '../../ports/app-ports';
import { syncCognitoGroups } from '../entitlement/sync-cognito-groups';

export interface ProvisionUserDeps {
  profiles: ProfileStore;
  entitlements: EntitlementStore;
  groups: GroupGateway;
  customers?: CustomerGateway;
  catalog: PlanCatalog;
  clock: Clock;
  /**
   * Account tombstones (AuditLog): a deleted account is never provisioned again (a token outlives its user), and a
   * first record for an email whose trial was used starts with `trialUsed`. Without it neither is checked.
   */
  tombstones?: Pick<AccountTombstoneReader, 'accountTombstone' | 'isTrialUsed'>;
}

export type NewUser = ConfirmedUser;

export interface ProvisionResult {
  profile: UserProfile;
  stripeCustomerId?: string;
  /** Set when Stripe failed: the profile was written without a customer id (checkout / reconcile create it). */
  customerError?: Error;
  entitlementCreated: boolean;
  groupsAdded: string[];
}

/**
 * Gives a confirmed Cognito user everything the system guarantees: one profile, at most one Stripe customer,
 * one Entitlements record, and the groups that record asks for. Idempotent end to end (Cognito retries its
 * triggers; the status endpoint and reconcile call this to heal): every step reads or writes conditionally.
 *
 * Failure policy: Stripe failing is survivable (logged, `customerError` set, the profile still written);
 * DynamoDB or Cognito failing throws a DependencyUnavailableError so the caller retries.
 */
export async function provisionUser(
  deps: ProvisionUserDeps,
  user: NewUser,
  options: { createCustomer?: boolean } = {},
): Promise<ProvisionResult> {
  const now = deps.clock.now();
  const email = normaliseEmail(user.email);
  const existingProfile = await deps.profiles.get(user.sub);
  const existingRecord = await deps.entitlements.get(user.sub);
  if (existingProfile?.deletion) throw new AccountDeletedError(user.sub);
  if (!existingProfile && !existingRecord && (await deps.tombstones?.accountTombstone(user.sub))) {
    throw new AccountDeletedError(user.sub);
  }

  // Reuse any customer already known for this sub (profile first; a webhook may have recorded one first).
  let stripeCustomerId = existingProfile?.stripeCustomerId ?? existingRecord?.stripeCustomerId;
  let created: string | undefined;
  let customerError: Error | undefined;
  const createCustomer = options.createCustomer ?? deps.customers !== undefined;
  if (!stripeCustomerId && createCustomer && deps.customers) {
    try {
      const name = [user.givenName, user.familyName].filter(Boolean).join(' ');
      const customer = await deps.customers.createForUser({ sub: user.sub, email, ...(name ? { name } : {}) });
      created = customer.id;
      stripeCustomerId = customer.id;
    } catch (error) {
      customerError = error instanceof Error ? error : new Error(String(error));
      logger.error('Stripe customer creation failed; profile written without a customer id', {
        sub: user.sub,
        error: customerError.message,
      });
    }
  }

  let profile = await deps.profiles.upsert(
    {
      userId: user.sub,
      cognitoUsername: user.username,
      email,
      emailVerified: user.emailVerified,
      ...(user.givenName ? { givenName: user.givenName } : {}),
      ...(user.familyName ? { familyName: user.familyName } : {}),
      // A reused id is passed through (upsert never overwrites a stored one); a new one is linked below.
      ...(stripeCustomerId && !created ? { stripeCustomerId } : {}),
      identityProvider: user.identityProvider,
    },
    now,
  );
  if (created) {
    const stored = await deps.profiles.linkStripeCustomer(user.sub, created, now);
    if (stored && stored !== created) {
      // Another writer linked a different customer first: theirs stays, ours is left for reconcile to flag.
      logger.warn('Profile already linked to another Stripe customer', { sub: user.sub, kept: stored, created });
    }
    stripeCustomerId = stored ?? created;
    profile = { ...profile, ...(stripeCustomerId ? { stripeCustomerId } : {}) };
  }

  const { record, entitlementCreated } = await ensureEntitlementRecord(deps, existingRecord, {
    sub: user.sub,
    cognitoUsername: user.username,
    email,
    ...(stripeCustomerId ? { stripeCustomerId } : {}),
  });

  const { added } = await syncCognitoGroups(deps, record, user.username);

  return {
    profile,
    ...(stripeCustomerId ? { stripeCustomerId } : {}),
    ...(customerError ? { customerError } : {}),
    entitlementCreated,
    groupsAdded: added,
  };
}

/**
 * Creates the record only if absent. An existing record (a webhook may have written it first) is used as it is:
 * it is never clobbered, even when it lacks cognitoUsername or stripeCustomerId.
 */
async function ensureEntitlementRecord(
  deps: ProvisionUserDeps,
  existing: EntitlementRecord | undefined,
  user: { sub: string; cognitoUsername: string; email: string; stripeCustomerId?: string },
): Promise<{ record: EntitlementRecord; entitlementCreated: boolean }> {
  if (existing) return { record: existing, entitlementCreated: false };
  const initial = initialEntitlementRecord(deps.catalog, user, deps.clock.now());
  // An account re-created with an address whose trial was used (kept when the old account was deleted).
  const trialUsed = (await deps.tombstones?.isTrialUsed(user.email)) === true;
  const fresh = trialUsed ? { ...initial, trialUsed: true } : initial;
  if ((await deps.entitlements.createIfAbsent(fresh)) === 'written') return { record: fresh, entitlementCreated: true };
  // Lost a race with another writer: use what it stored.
  const stored = await deps.entitlements.get(user.sub);
  if (!stored) throw new Error(`Entitlements record for ${user.sub} vanished after a conflicting create`);
  return { record: stored, entitlementCreated: false };
}
