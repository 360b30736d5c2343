import { CodedNotFoundError } from '../core/api-errors';
import type { BillingGateway } from '../core/billing';
import type { ProfileStore } from '../core/ports';

export interface PortalDeps {
  profiles: ProfileStore;
  billing: BillingGateway;
}

/** A Stripe customer-portal session for the caller's own customer; 404 when the caller has none yet. */
export async function createPortalSession(
  deps: PortalDeps,
  request: { sub: string; returnUrl: string },
): Promise<{ url: string }> {
  const profile = await deps.profiles.get(request.sub);
  if (!profile?.stripeCustomerId) {
    throw new CodedNotFoundError(
      'no_billing_account',
      'You have no billing account yet: start a subscription with POST /checkout/sessions first.',
    );
  }
  return deps.billing.createPortalSession({ customerId: profile.stripeCustomerId, returnUrl: request.returnUrl });
}
