import type { TokenUser } from '../../domain/cognito-user';
import type { EntitlementRecord } from '../../domain/entitlement';
import { DependencyUnavailableError } from '../../domain/errors';
import { managedGroupsOf } from '../../domain/groups';
import type { PlanCatalog } from '../../domain/plan-catalog';
import type { SubscriptionStatusView } from '../../domain/status-view';
import { statusView } from '../../domain/status-view';
import { logger } from '../../platform/logger';
import type { Clock, EntitlementStore, ProfileStore } from '../../ports/app-ports';
import type { HealUser } from '../reconcile/heal-user';

export interface SubscriptionStatusDeps {
  entitlements: Pick<EntitlementStore, 'get'>;
  profiles: Pick<ProfileStore, 'get'>;
  catalog: PlanCatalog;
  clock: Clock;
  /** Recreates what is missing from Cognito and Stripe (use-cases/reconcile/heal-user.ts). */
  heal: HealUser;
}

/** What the verified token says about the caller (claims only; identity is `sub`). */
export type { TokenUser } from '../../domain/cognito-user';

/**
 * The caller's subscription status from the Entitlements item, time applied at read. The profile is read alongside
 * (same round trip): when either row is missing, no Stripe customer is linked (Post-Confirmation creates it; a
 * sign-up whose Stripe call failed, or a heal stopped part-way, leaves none), or the record's groups were never
 * applied in Cognito (a provisioning that stopped part-way), the caller is healed from the sources of truth first (the Cognito user, the
 * Stripe customer and its subscriptions: never defaulted to free), then the healed record is answered.
 *
 * A failed heal is a 503 when there is no record to answer (the client retries); with a record, the stored status
 * is served and the failure logged (the next read or reconcile heals).
 */
export async function subscriptionStatus(
  deps: SubscriptionStatusDeps,
  user: TokenUser,
): Promise<SubscriptionStatusView> {
  const [stored, profile] = await Promise.all([deps.entitlements.get(user.sub), deps.profiles.get(user.sub)]);
  if (stored && profile?.stripeCustomerId && !groupsNeverApplied(stored, deps.catalog)) {
    return answer(deps, user, stored);
  }
  try {
    await deps.heal(user.sub);
  } catch (error) {
    if (!stored) throw error;
    logger.warn('Healing the caller failed; serving the stored status', {
      sub: user.sub,
      ...(error instanceof DependencyUnavailableError ? { dependency: error.dependency } : {}),
      error: error instanceof Error ? error.message : String(error),
    });
    return answer(deps, user, stored);
  }
  const healed = (await deps.entitlements.get(user.sub)) ?? stored;
  if (!healed) throw new DependencyUnavailableError('dynamodb', `no Entitlements record for ${user.sub} after healing`);
  return answer(deps, user, healed);
}

function answer(deps: SubscriptionStatusDeps, user: TokenUser, record: EntitlementRecord) {
  return statusView(record, user.groups, deps.catalog, deps.clock.now());
}

/** Desired managed groups exist but none was ever confirmed in Cognito: provisioning stopped part-way. */
function groupsNeverApplied(record: EntitlementRecord, catalog: PlanCatalog): boolean {
  const managed = (groups: readonly string[] | undefined) => managedGroupsOf(groups, catalog);
  return managed(record.cognitoGroups).length === 0 && managed(record.groups).length > 0;
}
