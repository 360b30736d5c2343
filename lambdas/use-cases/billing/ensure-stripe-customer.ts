import { CodedNotFoundError } from '../../domain/coded-errors';
import { logger } from '../../platform/logger';
import type { Clock, CustomerGateway, ProfileStore, UserProfile } from '../../ports/app-ports';

export interface EnsureCustomerDeps {
  profiles: ProfileStore;
  customers: CustomerGateway;
  clock: Clock;
}

export interface EnsuredCustomer {
  customerId: string;
  /** True when this call created the Stripe customer. */
  created: boolean;
}

/**
 * The caller's one Stripe customer: the one on the profile, else a new one linked to the profile.
 *
 * Concurrent callers end with exactly ONE customer: the create uses an idempotency key derived from the sub, so
 * both creates return the same customer, and `linkStripeCustomer` is conditional and returns what is stored, so
 * everybody uses the stored id. Past the key's 24 h life a create could return a fresh customer; the stored link
 * still wins and the orphan is logged for reconcile.
 *
 * A caller with no profile gets a 404: the status route creates profiles (it has the token's claims and the
 * grants); a customer is never created for a user the system does not know.
 */
export async function ensureStripeCustomer(
  deps: EnsureCustomerDeps,
  sub: string,
  knownProfile?: UserProfile,
): Promise<EnsuredCustomer> {
  const profile = knownProfile ?? (await deps.profiles.get(sub));
  if (!profile) throw profileMissing();
  if (profile.stripeCustomerId) return { customerId: profile.stripeCustomerId, created: false };

  const name = [profile.givenName, profile.familyName].filter(Boolean).join(' ');
  const customer = await deps.customers.createForUser({ sub, email: profile.email, ...(name ? { name } : {}) });
  const stored = await deps.profiles.linkStripeCustomer(sub, customer.id, deps.clock.now());
  if (stored === undefined) throw profileMissing();
  if (stored !== customer.id) {
    logger.warn('Profile already linked to another Stripe customer; keeping the stored one', {
      sub,
      kept: stored,
      orphan: customer.id,
    });
  }
  return { customerId: stored, created: stored === customer.id };
}

function profileMissing() {
  return new CodedNotFoundError(
    'profile_not_found',
    'No profile exists for this user yet: call GET /subscription/status once (it creates it), then retry.',
  );
}
