import { CodedNotFoundError } from '../../domain/coded-errors';
import type { ProfileStore } from '../../ports/app-ports';
import type { BillingGateway } from '../../ports/billing-ports';

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
