import type { TokenUser } from '../../domain/cognito-user';
import { type EntitlementRecord, initialEntitlementRecord } from '../../domain/entitlement';
import { managedGroupsOf } from '../../domain/groups';
import type { PlanCatalog } from '../../domain/plan-catalog';
import type { SubscriptionStatusView } from '../../domain/status-view';
import { statusView } from '../../domain/status-view';
import { logger } from '../../platform/logger';
import type { Clock, EntitlementStore, GroupGateway, ProfileStore } from '../../ports/app-ports';
import { type ProvisionUserDeps, provisionUser } from '../identity/provision-user';

export interface SubscriptionStatusDeps {
  entitlements: EntitlementStore;
  profiles: ProfileStore;
  groups: GroupGateway;
  catalog: PlanCatalog;
  clock: Clock;
  /** Healing never revives a deleted account, and applies the email's trial-used mark (ProvisionUserDeps). */
  tombstones?: ProvisionUserDeps['tombstones'];
}

/** What the verified token says about the caller (claims only; identity is `sub`). */
export type { TokenUser } from '../../domain/cognito-user';

/**
 * The caller's subscription status: one read of the Entitlements item, time applied at read.
 *
 * Healing, with the shared provisioning (no Stripe call here: checkout creates the customer):
 * - no item (a user from before this system, or a failed PostConfirmation): provision from the token's claims,
 *   then answer `none`; a failure is a 503 so the client retries;
 * - an item whose groups were never applied in Cognito (a provisioning that failed part-way): provision again to
 *   finish it; a failure is logged and the stored status is still served (the next read or reconcile retries).
 * Without an email claim (an access token) nothing can be provisioned: the caller still gets an answer.
 */
export async function subscriptionStatus(
  deps: SubscriptionStatusDeps,
  user: TokenUser,
): Promise<SubscriptionStatusView> {
  const stored = await deps.entitlements.get(user.sub);
  if (stored && !groupsNeverApplied(stored, deps.catalog)) {
    return statusView(stored, user.groups, deps.catalog, deps.clock.now());
  }
  if (!user.email) {
    logger.warn('Cannot heal a caller without an email claim (send the ID token)', { sub: user.sub });
    return answer(deps, user, stored);
  }
  try {
    logger.info('Healing the caller', { sub: user.sub, recordExists: stored !== undefined });
    await provisionUser(
      deps,
      {
        sub: user.sub,
        username: stored?.cognitoUsername ?? user.username ?? user.sub,
        email: user.email,
        emailVerified: user.emailVerified,
        ...(user.givenName ? { givenName: user.givenName } : {}),
        ...(user.familyName ? { familyName: user.familyName } : {}),
        identityProvider: user.identityProvider,
      },
      { createCustomer: false },
    );
  } catch (error) {
    if (!stored) throw error;
    logger.warn('Finishing a pending group change failed; serving the stored status', {
      sub: user.sub,
      error: error instanceof Error ? error.message : String(error),
    });
    return answer(deps, user, stored);
  }
  return answer(deps, user, (await deps.entitlements.get(user.sub)) ?? stored);
}

function answer(deps: SubscriptionStatusDeps, user: TokenUser, record: EntitlementRecord | undefined) {
  const now = deps.clock.now();
  return statusView(
    record ?? initialEntitlementRecord(deps.catalog, { sub: user.sub }, now),
    user.groups,
    deps.catalog,
    now,
  );
}

/** Desired managed groups exist but none was ever confirmed in Cognito: provisioning stopped part-way. */
function groupsNeverApplied(record: EntitlementRecord, catalog: PlanCatalog): boolean {
  const managed = (groups: readonly string[] | undefined) => managedGroupsOf(groups, catalog);
  return managed(record.cognitoGroups).length === 0 && managed(record.groups).length > 0;
}
