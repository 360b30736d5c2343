import { createHash } from 'node:crypto';
import { CodedConflictError, MisconfigurationError } from '../../domain/coded-errors';
import type { EntitlementRecord } from '../../domain/entitlement';
import { DependencyUnavailableError, InvalidInputError } from '../../domain/errors';
import type { PlanCatalog } from '../../domain/plan-catalog';
import type { BillingInterval, PlanId } from '../../domain/plan-catalog-schema';
import { currentEntitlement, hasEntitledPaidPlan, stripeTrialDays } from '../../domain/trial';
import type { Clock, EntitlementStore, ProfileStore } from '../../ports/app-ports';
import type { BillingGateway, TrialMarkStore } from '../../ports/billing-ports';
import type { HealUser } from '../reconcile/heal-user';
import { readHealed } from './read-healed';

export interface CheckoutDeps {
  profiles: Pick<ProfileStore, 'get'>;
  entitlements: Pick<EntitlementStore, 'get'>;
  billing: BillingGateway;
  /** Recreates a missing profile, record or customer link from Cognito and Stripe (use-cases/reconcile/heal-user.ts). */
  heal: HealUser;
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
 * Opens a Stripe Checkout for a subscription. Order matters: a caller without a profile, record or linked customer
 * is healed first (the customer found by `metadata.cognito_sub` before one is created, the record recomputed from
 * its subscriptions), so the "already subscribed" check below sees what Stripe says; then refuse an
 * already-subscribed caller and an unpriced plan before creating a session; then the session, which
 * carries the sub (client_reference_id + subscription metadata) so the webhook resolves the user without a lookup.
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

  const now = deps.clock.now();
  const subscribed = (record: EntitlementRecord) =>
    hasEntitledPaidPlan(currentEntitlement(record, deps.catalog, now), deps.catalog);
  // Rows that already refuse need no customer: healing only runs when something is missing.
  const { record, profile, recordRecreated } = await readHealed(
    deps,
    sub,
    (rows) => rows.profile.stripeCustomerId !== undefined || subscribed(rows.record),
  );
  if (subscribed(record)) {
    throw new CodedConflictError(
      'already_subscribed',
      `You already have an active "${record.plan}" subscription: change or cancel it in the billing portal ` +
        '(POST /billing/portal-sessions).',
    );
  }
  const customerId = profile.stripeCustomerId;
  if (!customerId) throw new DependencyUnavailableError('stripe', `no Stripe customer linked to ${sub} after healing`);

  const priceId = await deps.billing.priceIdForLookupKey(lookupKey);
  if (priceId === undefined) {
    throw new MisconfigurationError(`No active Stripe price has lookup key "${lookupKey}" (plan ${plan}, ${interval})`);
  }

  // A recreated record cannot prove the user never had a trial: offer none (one trial per identity), nor to an
  // email whose trial was used by an earlier account.
  let trialDays = recordRecreated ? undefined : stripeTrialDays(record, deps.catalog);
  const email = profile.email ?? record.email;
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
