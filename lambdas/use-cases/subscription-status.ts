import type { SubscriptionStatusResponse } from '../core/api-schemas';
import { initialEntitlementRecord } from '../core/entitlement';
import type { PlanCatalog } from '../core/plan-catalog';
import type { Clock, EntitlementStore, GroupGateway, ProfileStore } from '../core/ports';
import { statusView } from '../core/status-view';
import { logger } from '../shared/logger';
import { provisionUser } from './provision-user';

export interface SubscriptionStatusDeps {
  entitlements: EntitlementStore;
  profiles: ProfileStore;
  groups: GroupGateway;
  catalog: PlanCatalog;
  clock: Clock;
}

/** What the verified token says about the caller (claims only; identity is `sub`). */
export interface TokenUser {
  sub: string;
  /** cognito:username; differs from sub for federated users. */
  username?: string;
  email?: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
  /** `cognito`, or the federated provider's name from the `identities` claim. */
  identityProvider: string;
  /** Groups in the caller's token (cognito:groups). */
  groups: string[];
}

/**
 * The caller's subscription status: one read of the Entitlements item, time applied at read.
 *
 * A caller with no item (a user from before this system, or a failed PostConfirmation) is healed from the token's
 * claims with the shared provisioning (no Stripe call on this path: checkout creates the customer) and answers
 * `none`. Without an email claim (an access token) nothing can be provisioned: the caller still gets `none`.
 */
export async function subscriptionStatus(
  deps: SubscriptionStatusDeps,
  user: TokenUser,
): Promise<SubscriptionStatusResponse> {
  const stored = await deps.entitlements.get(user.sub);
  if (stored) return statusView(stored, user.groups, deps.catalog, deps.clock.now());

  const username = user.username ?? user.sub;
  if (user.email) {
    logger.info('Healing a caller with no Entitlements record', { sub: user.sub });
    await provisionUser(
      deps,
      {
        sub: user.sub,
        username,
        email: user.email,
        emailVerified: user.emailVerified,
        ...(user.givenName ? { givenName: user.givenName } : {}),
        ...(user.familyName ? { familyName: user.familyName } : {}),
        identityProvider: user.identityProvider,
      },
      { createCustomer: false },
    );
    const healed = await deps.entitlements.get(user.sub);
    if (healed) return statusView(healed, user.groups, deps.catalog, deps.clock.now());
  } else {
    logger.warn('No Entitlements record and no email claim: cannot heal (send the ID token)', { sub: user.sub });
  }
  const now = deps.clock.now();
  return statusView(initialEntitlementRecord(deps.catalog, { sub: user.sub }, now), user.groups, deps.catalog, now);
}
