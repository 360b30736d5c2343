import { CodedNotFoundError } from '../../domain/coded-errors';
import type { EntitlementStore, ProfileStore } from '../../ports/app-ports';
import type { BillingGateway } from '../../ports/billing-ports';
import type { HealUser } from '../reconcile/heal-user';
import { readHealed } from './read-healed';

export interface PortalDeps {
  profiles: Pick<ProfileStore, 'get'>;
  entitlements: Pick<EntitlementStore, 'get'>;
  billing: BillingGateway;
  /** Recreates a missing profile, record or customer link from Cognito and Stripe (use-cases/reconcile/heal-user.ts). */
  heal: HealUser;
}

/**
 * A Stripe customer-portal session for the caller's own customer. A caller whose profile or record is missing, or
 * whose profile has no customer linked, is healed first (the customer found by `metadata.cognito_sub`, else
 * created), so a paying customer can always reach the portal.
 */
export async function createPortalSession(
  deps: PortalDeps,
  request: { sub: string; returnUrl: string },
): Promise<{ url: string }> {
  const { profile } = await readHealed(deps, request.sub, (rows) => rows.profile.stripeCustomerId !== undefined);
  if (!profile.stripeCustomerId) {
    throw new CodedNotFoundError(
      'no_billing_account',
      'You have no billing account yet: start a subscription with POST /checkout/sessions first.',
    );
  }
  return deps.billing.createPortalSession({ customerId: profile.stripeCustomerId, returnUrl: request.returnUrl });
}
