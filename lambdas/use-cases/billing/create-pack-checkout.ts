import { MisconfigurationError } from '../../domain/coded-errors';
import type { CreditPacks } from '../../domain/credit-packs';
import { DependencyUnavailableError, InvalidInputError } from '../../domain/errors';
import type { Clock, EntitlementStore, ProfileStore } from '../../ports/app-ports';
import type { BillingGateway, PackCheckoutGateway } from '../../ports/billing-ports';
import type { HealUser } from '../reconcile/heal-user';
import { checkoutIdempotencyKey } from './create-checkout-session';
import { readHealed } from './read-healed';

export interface PackCheckoutDeps {
  profiles: Pick<ProfileStore, 'get'>;
  entitlements: Pick<EntitlementStore, 'get'>;
  /** Recreates a missing profile, record or customer link from Cognito and Stripe (use-cases/reconcile/heal-user.ts). */
  heal: HealUser;
  billing: Pick<BillingGateway, 'priceIdForLookupKey'> & PackCheckoutGateway;
  creditPacks: CreditPacks;
  clock: Clock;
}

export interface PackCheckoutRequest {
  sub: string;
  pack: string;
  quantity: number;
  /** Already resolved against the stage's allowed origins. */
  successUrl: string;
  cancelUrl: string;
}

/**
 * Opens a Stripe Checkout in payment mode for `quantity` units of a credit pack. Refuses an unknown pack or a
 * quantity above the pack's limit before anything is created; then the price (by lookup key), the caller's one
 * customer (healed when missing), and the session, which carries the sub (client_reference_id + metadata) and the credits sold so the
 * webhook credits the right user without a lookup. A subscription does not stop a pack purchase.
 */
export async function createPackCheckoutSession(
  deps: PackCheckoutDeps,
  request: PackCheckoutRequest,
): Promise<{ id: string; url: string }> {
  const pack = deps.creditPacks.pack(request.pack);
  if (!pack) throw new InvalidInputError(`pack: must be one of: ${deps.creditPacks.ids().join(', ')}`);
  if (!Number.isInteger(request.quantity) || request.quantity < 1 || request.quantity > pack.maxQuantity) {
    throw new InvalidInputError(`quantity: pack "${pack.id}" is sold 1 to ${pack.maxQuantity} at a time`);
  }
  const priceId = await deps.billing.priceIdForLookupKey(pack.lookupKey);
  if (priceId === undefined) {
    throw new MisconfigurationError(
      `No active Stripe price has lookup key "${pack.lookupKey}" (credit pack ${pack.id})`,
    );
  }
  // A caller without a profile, record or linked customer is healed first (the customer found by
  // `metadata.cognito_sub` before one is created).
  const { profile } = await readHealed(deps, request.sub, (rows) => rows.profile.stripeCustomerId !== undefined);
  const customerId = profile.stripeCustomerId;
  if (!customerId) {
    throw new DependencyUnavailableError('stripe', `no Stripe customer linked to ${request.sub} after healing`);
  }
  const session = {
    customerId,
    priceId,
    sub: request.sub,
    packId: pack.id,
    quantity: request.quantity,
    credits: pack.credits * request.quantity,
    successUrl: request.successUrl,
    cancelUrl: request.cancelUrl,
  };
  const now = deps.clock.now();
  // The same request within the dedup window opens ONE session (a double click); any other parameter, a new one.
  const idempotencyKey = checkoutIdempotencyKey({ ...session, plan: `pack:${pack.id}`, interval: 'once' }, now);
  return deps.billing.createPackCheckoutSession({ ...session, idempotencyKey });
}
