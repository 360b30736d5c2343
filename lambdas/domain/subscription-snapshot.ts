import type { SubscriptionStatus } from './entitlement';
import type { PlanCatalog } from './plan-catalog';
import type { PlanDefinition, PlanId } from './plan-catalog-schema';
import { payloadPlan } from './plan-mapping';
import type { NormalisedSubscription } from './stripe-events';

/** What the Entitlements record keeps per Stripe subscription, and how a payload becomes one. Times: epoch seconds. */

/** What the record keeps per subscription, enough to recompute from payloads without calling Stripe. */
export interface SubscriptionSnapshot {
  id: string;
  status: SubscriptionStatus;
  /**
   * The plan the payload itself gives (plan-mapping.ts `payloadPlan`). Null when none of its prices maps: the policy
   * then falls back to the customer's plan memory (`resolvePlan`), and the webhook logs a configuration error.
   */
  plan: PlanId | null;
  /** The subscription's price ids (what the plan memory is keyed by). Absent on records written before it. */
  priceIds?: string[];
  priceLabel: string;
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
  trialEnd: number | null;
  cancelAtPeriodEnd: boolean;
  /** When access ends (`cancel_at`, any date). Absent on records written before it: the period end if cancelling. */
  cancelAt?: number | null;
  /** `pause_collection` (status stays active): what it does to access is the policy's `pausedCollection`. */
  pauseCollection?: { behavior: string; resumesAt: number | null } | null;
  /** `created` and id of the event this snapshot came from: the per-subscription ordering guard. */
  eventCreated: number;
  eventId: string;
}

/** The plan a subscription's payload gives (plan-mapping.ts: catalog first, then our checkout's claim). */
export function planOfSubscription(
  subscription: NormalisedSubscription,
  catalog: PlanCatalog,
): PlanDefinition | undefined {
  return payloadPlan(subscription, catalog).plan;
}

export function snapshotOf(
  subscription: NormalisedSubscription,
  catalog: PlanCatalog,
  event: { id: string; created: number },
): SubscriptionSnapshot {
  return {
    id: subscription.id,
    status: subscription.status,
    plan: planOfSubscription(subscription, catalog)?.id ?? null,
    priceIds: subscription.prices.flatMap((price) => (price.id ? [price.id] : [])),
    priceLabel: subscription.priceLabel,
    currentPeriodStart: subscription.currentPeriodStart,
    currentPeriodEnd: subscription.currentPeriodEnd,
    trialEnd: subscription.trialEnd,
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    cancelAt: subscription.cancelAt ?? null,
    pauseCollection: subscription.pauseCollection ?? null,
    eventCreated: event.created,
    eventId: event.id,
  };
}

/** When a subscription's access ends: its `cancel_at` (any date), else the period end when cancelling at it. */
export function accessEndsAt(snapshot: SubscriptionSnapshot): number | null {
  return snapshot.cancelAt ?? (snapshot.cancelAtPeriodEnd ? snapshot.currentPeriodEnd : null);
}
