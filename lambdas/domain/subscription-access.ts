import type { BillingState } from './billing-state';
import type { Entitlement, SubscriptionStatus } from './entitlement';
import { type Reversal, reversalOf, unpaidStreakStart } from './payment-facts';
import type { PlanCatalog } from './plan-catalog';
import type { PlanDefinition } from './plan-catalog-schema';
import type { EntitlementPolicy } from './policy-settings';
import { accessEndsAt, type SubscriptionSnapshot } from './subscription-snapshot';

/**
 * What one subscription grants now: entitled or not, the status to show, its grace end, a reversal of its payment.
 * Pure: now is a parameter. The entitlement policy (entitlement-policy.ts) picks among a customer's subscriptions.
 */

const DAY_SECONDS = 86_400;

export interface Evaluated {
  snapshot: SubscriptionSnapshot;
  plan: PlanDefinition | undefined;
  entitled: boolean;
  /** Status to report when this subscription is the one shown. */
  status: Entitlement['status'];
  graceEnd: number | null;
  /** The money for its current access was taken back (payment-facts.ts `reversalOf`). */
  reversal: Reversal | undefined;
  /** Entitled but for the reversal, which the policy says revokes. */
  revoked: boolean;
}

export function evaluate(
  snapshot: SubscriptionSnapshot,
  catalog: PlanCatalog,
  nowSeconds: number,
  policy: EntitlementPolicy,
  billing: BillingState,
): Evaluated {
  const plan = snapshot.plan !== null && catalog.hasPlan(snapshot.plan) ? catalog.plan(snapshot.plan) : undefined;
  const deleted = billing.customerDeletedAt !== null && snapshot.eventCreated <= billing.customerDeletedAt;
  const status: SubscriptionStatus = deleted ? 'canceled' : snapshot.status;
  const endsAt = accessEndsAt(snapshot);
  const periodOver = endsAt !== null && endsAt <= nowSeconds;
  // The grace window starts with the unpaid streak (payment facts are registers: delivery order cannot move it).
  const graceEnd =
    status === 'past_due'
      ? (unpaidStreakStart(snapshot.id, billing.invoices) ?? snapshot.currentPeriodStart ?? snapshot.eventCreated) +
        policy.gracePeriodDays * DAY_SECONDS
      : null;
  let entitled = false;
  let reported: Entitlement['status'] = status;
  if (status === 'active') entitled = !periodOver;
  else if (status === 'trialing') {
    const trialOver = snapshot.trialEnd !== null && snapshot.trialEnd <= nowSeconds;
    entitled = !trialOver && !periodOver;
    if (trialOver) reported = 'expired';
  } else if (status === 'past_due' && graceEnd !== null) {
    entitled = graceEnd > nowSeconds && !periodOver;
    if (graceEnd <= nowSeconds) reported = 'expired';
  }
  if (periodOver && (status === 'active' || status === 'trialing' || status === 'past_due')) reported = 'canceled';
  const pause = snapshot.pauseCollection;
  if (
    entitled &&
    policy.pausedCollection === 'revoke' &&
    pause &&
    (pause.resumesAt === null || pause.resumesAt > nowSeconds)
  ) {
    entitled = false;
    reported = 'paused';
  }
  const reversal = reversalOf(snapshot.id, billing);
  const wouldBeEntitled = entitled && plan !== undefined;
  const revoked = wouldBeEntitled && reversal !== undefined && policy.paymentReversal === 'revoke';
  return { snapshot, plan, entitled: wouldBeEntitled && !revoked, status: reported, graceEnd, reversal, revoked };
}
