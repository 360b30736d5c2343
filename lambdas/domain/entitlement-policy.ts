import { type BillingState, emptyBillingState } from './billing-state';
import { type Entitlement, entitlementOf, freeEntitlement } from './entitlement';
import type { Reversal } from './payment-facts';
import type { PlanCatalog } from './plan-catalog';
import type { EntitlementPolicy } from './policy-settings';
import { type Evaluated, evaluate } from './subscription-access';
import { accessEndsAt, type SubscriptionSnapshot } from './subscription-snapshot';

/**
 * The entitlement policy: all of a customer's subscriptions (+ per-customer payment flags) -> one Entitlement.
 * Pure: no AWS, no Stripe SDK, no clock (now is a parameter). Times inside snapshots are epoch seconds.
 */

const iso = (epochSeconds: number | null) =>
  epochSeconds === null ? null : new Date(epochSeconds * 1000).toISOString();

/** What the entitlement says about a reversal: the revoking one, or the winner's flagged one. */
function reversalView(action: 'revoked' | 'flagged', reversal: Reversal | undefined): Entitlement['paymentReversal'] {
  return reversal ? { action, reason: reversal.reason, chargeId: reversal.chargeId } : null;
}

/**
 * Tie-breaks that depend only on Stripe's data, never on event bookkeeping (which a tie re-read can move), so any
 * delivery order gives the same answer: the longer-running period first, then the id.
 */
function stableOrder(a: Evaluated, b: Evaluated): number {
  return (
    (b.snapshot.currentPeriodEnd ?? 0) - (a.snapshot.currentPeriodEnd ?? 0) ||
    a.snapshot.id.localeCompare(b.snapshot.id)
  );
}

/** Which status to show when nothing is entitled: the one the user can act on first. */
const UNENTITLED_STATUS_RANK: Entitlement['status'][] = [
  'past_due',
  'unpaid',
  'paused',
  'incomplete',
  'expired',
  'canceled',
  'incomplete_expired',
  'trialing',
  'active',
];
const rankOf = (status: Entitlement['status']) => {
  const rank = UNENTITLED_STATUS_RANK.indexOf(status);
  return rank === -1 ? UNENTITLED_STATUS_RANK.length : rank;
};

/**
 * The entitlement of a customer: the entitled subscription with the best plan precedence wins, so a late
 * cancellation of one subscription never revokes another paid one. Nothing entitled: the free plan with the
 * most actionable status (past_due before canceled, ...). A subscription whose current payment was reversed (full
 * refund or lost dispute of the charge that paid its latest non-zero invoice) is revoked, flagged or left alone as
 * the policy says; other subscriptions and one-off charges are not affected.
 */
export function computeEntitlement(
  subscriptions: readonly SubscriptionSnapshot[],
  catalog: PlanCatalog,
  now: Date,
  policy: EntitlementPolicy,
  billing: BillingState = emptyBillingState(),
): Entitlement {
  if (subscriptions.length === 0) return freeEntitlement(catalog, 'none');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const evaluated = subscriptions.map((snapshot) => evaluate(snapshot, catalog, nowSeconds, policy, billing));
  const winner = evaluated
    .filter((candidate) => candidate.entitled)
    .sort(
      (a, b) =>
        (a.plan?.precedence ?? Number.MAX_SAFE_INTEGER) - (b.plan?.precedence ?? Number.MAX_SAFE_INTEGER) ||
        stableOrder(a, b),
    )[0];
  if (winner?.plan) {
    const { snapshot, plan } = winner;
    return {
      status: winner.status,
      plan: plan.id,
      entitled: true,
      features: [...plan.features],
      groups: [plan.group],
      currentPeriodEnd: iso(snapshot.currentPeriodEnd),
      trialEndsAt: snapshot.status === 'trialing' ? iso(snapshot.trialEnd) : null,
      cancelAtPeriodEnd: snapshot.cancelAtPeriodEnd,
      cancelAt: iso(accessEndsAt(snapshot)),
      graceEndsAt: iso(winner.graceEnd),
      paymentReversal: policy.paymentReversal === 'flag' ? reversalView('flagged', winner.reversal) : null,
    };
  }
  const revoked = [...evaluated].filter((candidate) => candidate.revoked).sort(stableOrder)[0];
  if (revoked)
    return { ...freeEntitlement(catalog, 'revoked'), paymentReversal: reversalView('revoked', revoked.reversal) };
  const latest = [...evaluated].sort((a, b) => rankOf(a.status) - rankOf(b.status) || stableOrder(a, b))[0];
  const free = freeEntitlement(catalog, latest?.status ?? 'none');
  return latest?.status === 'expired' && latest.snapshot.status === 'trialing'
    ? { ...free, trialEndsAt: iso(latest.snapshot.trialEnd) }
    : free;
}

/**
 * A running no-card trial (plan `trial`, no active or trialing Stripe subscription behind it) is not Stripe's to
 * end: the webhook's write path and reconcile's expectation both keep it until `trialEndsAt`.
 */
export function keepRunningNoCardTrial(
  stored: Entitlement,
  computed: Entitlement,
  subscriptions: readonly Pick<SubscriptionSnapshot, 'status'>[],
  now: Date,
): Entitlement {
  if (computed.entitled) return computed;
  const trialEnded = stored.trialEndsAt !== null && Date.parse(stored.trialEndsAt) <= now.getTime();
  // An ended no-card trial reads `expired` with its end date (never `none`, "never subscribed"), on every later
  // write: the webhook's and reconcile's.
  const noCardTrial = stored.plan === 'trial' || (stored.status === 'expired' && stored.plan === 'free');
  if (computed.status === 'none' && noCardTrial && trialEnded) {
    return { ...computed, status: 'expired', trialEndsAt: stored.trialEndsAt };
  }
  if (stored.plan !== 'trial' || !stored.entitled) return computed;
  const paidAttempt = subscriptions.some((s) => s.status === 'active' || s.status === 'trialing');
  return !trialEnded && stored.trialEndsAt !== null && !paidAttempt ? entitlementOf(stored) : computed;
}
