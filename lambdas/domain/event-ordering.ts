import {
  type BillingState,
  emptyBillingState,
  type SubscriptionSnapshot,
  snapshotOf,
  type WebhookEntitlementRecord,
} from './entitlement-policy';
import type { PlanCatalog } from './plan-catalog';
import { emptyPlanMemory, type PlanMemory, type PlanSource, rememberPlans, resolvePlan } from './plan-mapping';
import type { NormalisedEvent, NormalisedSubscription } from './stripe-events';

/**
 * The ordering guard. Stripe delivers at least once and in any order, and `created` has 1 s resolution, so:
 * an older event changes nothing, the same event again changes nothing, a different event of the same second is
 * a tie (the payload alone cannot say which is newer: the caller re-reads Stripe), a newer event applies.
 * The guard is kept per subscription (and per dispute), so events of different subscriptions never shadow each
 * other. Pure module.
 */

export type Ordering = 'newer' | 'tie' | 'older' | 'duplicate';

export function orderEvent(
  stored: { eventCreated: number; eventId?: string } | undefined,
  event: { id: string; created: number },
): Ordering {
  if (!stored) return 'newer';
  if (stored.eventId === event.id) return 'duplicate';
  if (event.created > stored.eventCreated) return 'newer';
  if (event.created < stored.eventCreated) return 'older';
  return 'tie';
}

/** What the record keeps to recompute an entitlement: per-subscription snapshots and payment signals. */
export interface CustomerState {
  subscriptions: Record<string, SubscriptionSnapshot>;
  billing: BillingState;
  plans: PlanMemory;
}

export function customerStateOf(record: WebhookEntitlementRecord | undefined): CustomerState {
  return {
    subscriptions: { ...(record?.subscriptions ?? {}) },
    billing: { ...emptyBillingState(), ...(record?.billing ?? {}) },
    plans: { ...emptyPlanMemory(), ...(record?.planMemory ?? {}) },
  };
}

/** The snapshots with the plan each stands for (payload, else the plan memory): what the policy computes over. */
export function resolvedSubscriptions(
  state: CustomerState,
  catalog: PlanCatalog,
): (SubscriptionSnapshot & { planSource: PlanSource })[] {
  return Object.values(state.subscriptions).map((snapshot) => {
    const { plan, source } = resolvePlan(snapshot, state.plans, catalog);
    return { ...snapshot, plan, planSource: source };
  });
}

export type Transition =
  /** The payload decides: apply `state`. */
  | { kind: 'applied'; state: CustomerState }
  /** Nothing to change (older, duplicate, or a signal with no effect on entitlements). */
  | { kind: 'unchanged' }
  /**
   * Same second as the stored state of this subscription: re-read the customer's subscriptions from Stripe and
   * merge them into `state` (which holds what the payload taught regardless, e.g. the plan memory).
   */
  | { kind: 'tie'; state: CustomerState };

/** Applies one event to a customer's state with the ordering guard. Payment signals are max-registers. */
export function transition(state: CustomerState, event: NormalisedEvent, catalog: PlanCatalog): Transition {
  const { signal } = event;
  switch (signal.kind) {
    case 'subscription': {
      const id = signal.subscription.id;
      // Every event teaches the plan memory, an older one too (it is keyed by event time, not arrival).
      const plans = rememberPlans(state.plans, signal.subscription, catalog, event.created);
      const learned = plans === state.plans ? state : { ...state, plans };
      const order = orderEvent(state.subscriptions[id], event);
      if (order === 'tie') return { kind: 'tie', state: learned };
      if (order !== 'newer') return learned === state ? { kind: 'unchanged' } : { kind: 'applied', state: learned };
      const snapshot = snapshotOf(signal.subscription, catalog, event);
      return { kind: 'applied', state: { ...learned, subscriptions: { ...learned.subscriptions, [id]: snapshot } } };
    }
    case 'invoice': {
      if (!signal.paid) return { kind: 'unchanged' };
      if (state.billing.lastPaidAt !== null && state.billing.lastPaidAt >= event.created) return { kind: 'unchanged' };
      return { kind: 'applied', state: { ...state, billing: { ...state.billing, lastPaidAt: event.created } } };
    }
    case 'refund': {
      if (!signal.full) return { kind: 'unchanged' };
      if (state.billing.lastRefundAt !== null && state.billing.lastRefundAt >= event.created) {
        return { kind: 'unchanged' };
      }
      return { kind: 'applied', state: { ...state, billing: { ...state.billing, lastRefundAt: event.created } } };
    }
    case 'dispute': {
      const stored = state.billing.disputes[signal.disputeId];
      const order = orderEvent(stored ? { eventCreated: stored.eventCreated } : undefined, event);
      let entry = { open: signal.open, lost: signal.lost, eventCreated: event.created };
      if (order === 'tie' && stored) {
        // A dispute closes after it opens, and a loss is final: at the same second, merge so that any delivery
        // order gives the same entry (closed beats open, lost beats won).
        entry = { open: stored.open && signal.open, lost: stored.lost || signal.lost, eventCreated: event.created };
        if (entry.open === stored.open && entry.lost === stored.lost) return { kind: 'unchanged' };
      } else if (order !== 'newer') return { kind: 'unchanged' };
      return {
        kind: 'applied',
        state: {
          ...state,
          billing: { ...state.billing, disputes: { ...state.billing.disputes, [signal.disputeId]: entry } },
        },
      };
    }
    case 'customer-deleted': {
      if (state.billing.customerDeletedAt !== null && state.billing.customerDeletedAt >= event.created) {
        return { kind: 'unchanged' };
      }
      return {
        kind: 'applied',
        state: { ...state, billing: { ...state.billing, customerDeletedAt: event.created } },
      };
    }
    case 'checkout':
      return { kind: 'unchanged' };
  }
}

/**
 * Replaces the snapshots of the subscriptions Stripe returned (its current truth) after a tie or a full re-read.
 * The guard time never goes backwards, so an older event arriving later still changes nothing.
 */
export function withStripeSubscriptions(
  state: CustomerState,
  subscriptions: readonly NormalisedSubscription[],
  catalog: PlanCatalog,
  event: { id: string; created: number },
): CustomerState {
  const next = { ...state.subscriptions };
  let plans = state.plans;
  for (const subscription of subscriptions) {
    const stored = next[subscription.id];
    const created = Math.max(stored?.eventCreated ?? 0, event.created);
    next[subscription.id] = snapshotOf(subscription, catalog, { id: event.id, created });
    plans = rememberPlans(plans, subscription, catalog, created);
  }
  return { ...state, subscriptions: next, plans };
}
