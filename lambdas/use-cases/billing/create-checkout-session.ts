import { createHash } from 'node:crypto';
import { CodedConflictError, MisconfigurationError } from '../../domain/coded-errors';
import { InvalidInputError } from '../../domain/errors';
import type { PlanCatalog } from '../../domain/plan-catalog';
import type { BillingInterval, PlanId } from '../../domain/plan-catalog-schema';
import { currentEntitlement, hasEntitledPaidPlan, stripeTrialDays } from '../../domain/trial';
import type { Clock, CustomerGateway, EntitlementStore, ProfileStore } from '../../ports/app-ports';
import type { BillingGateway, TrialMarkStore } from '../../ports/billing-ports';
import { ensureStripeCustomer } from './ensure-stripe-customer';

export interface CheckoutDeps {
  profiles: ProfileStore;
  entitlements: EntitlementStore;
  customers: CustomerGateway;
  billing: BillingGateway;
  catalog: PlanCatalog;
  clock: Clock;
  /** The email's trial-used mark; without it only the user's record decides. */
  trialMarks?: Pick<TrialMarkStore, 'isTrialUsed'>;
}

export interface CheckoutRequest {
  sub: string;
  plan: PlanId;
  interval: BillingInterval;
  /** Already resolved against the stage's allowed origins. */
  successUrl: string;
  cancelUrl: string;
}

/** Double clicks within this window reuse the same Stripe idempotency key, so they open ONE session. */
export const CHECKOUT_DEDUP_WINDOW_MS = 60_000;

/**
 * Opens a Stripe Checkout for a subscription. Order matters: refuse an already-subscribed caller and an unpriced
 * plan before creating anything in Stripe; then get-or-create the customer; then the session, which carries the
 * sub (client_reference_id + subscription metadata) so the webhook resolves the user without a lookup.
 */
export async function createCheckoutSession(
  deps: CheckoutDeps,
  request: CheckoutRequest,
): Promise<{ id: string; url: string }> {
  const { sub, plan, interval } = request;
  const lookupKey = deps.catalog.lookupKeyFor(plan, interval);
  if (lookupKey === undefined) {
    const offered = Object.keys(deps.catalog.plan(plan).prices);
    throw new InvalidInputError(
      `interval: plan "${plan}" is not sold per ${interval}; allowed values: ${offered.join(', ') || 'none'}`,
    );
  }

  const [record, profile] = await Promise.all([deps.entitlements.get(sub), deps.profiles.get(sub)]);
  const now = deps.clock.now();
  if (record && hasEntitledPaidPlan(currentEntitlement(record, deps.catalog, now), deps.catalog)) {
    throw new CodedConflictError(
      'already_subscribed',
      `You already have an active "${record.plan}" subscription: change or cancel it in the billing portal ` +
        '(POST /billing/portal-sessions).',
    );
  }

  const priceId = await deps.billing.priceIdForLookupKey(lookupKey);
  if (priceId === undefined) {
    throw new MisconfigurationError(`No active Stripe price has lookup key "${lookupKey}" (plan ${plan}, ${interval})`);
  }

  const { customerId } = await ensureStripeCustomer(deps, sub, profile);
  // No record means we cannot prove the user never had a trial: offer none (one trial per identity), nor to an
  // email whose trial was used by an earlier account.
  let trialDays = record ? stripeTrialDays(record, deps.catalog) : undefined;
  const email = profile?.email ?? record?.email;
  if (trialDays && deps.trialMarks && email && (await deps.trialMarks.isTrialUsed(email))) trialDays = undefined;
  const session = {
    customerId,
    priceId,
    sub,
    plan,
    interval,
    successUrl: request.successUrl,
    cancelUrl: request.cancelUrl,
    ...(trialDays ? { trialDays } : {}),
  };
  return deps.billing.createCheckoutSession({ ...session, idempotencyKey: checkoutIdempotencyKey(session, now) });
}

/**
 * `checkout-<sub>-<plan>-<interval>-<window>-<hash of every parameter>`: the same request in the same minute maps
 * to the same key (Stripe returns the first session), while any other parameter gives a new key (Stripe rejects
 * a reused key with different parameters).
 */
export function checkoutIdempotencyKey(
  session: { sub: string; plan: string; interval: string } & Record<string, unknown>,
  now: Date,
): string {
  const window = Math.floor(now.getTime() / CHECKOUT_DEDUP_WINDOW_MS);
  const digest = createHash('sha256')
    .update(JSON.stringify(Object.entries(session).sort(([a], [b]) => a.localeCompare(b))))
    .digest('hex')
    .slice(0, 16);
  return `checkout-${session.sub}-${session.plan}-${session.interval}-${window}-${digest}`;
}
