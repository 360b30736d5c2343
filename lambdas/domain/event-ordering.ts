import { type BillingState, billingStateOf } from './billing-state';
import { type ChargeRead, type InvoiceFacts, mergeCharge, mergeDispute, mergeInvoice } from './payment-facts';
import type { PlanCatalog } from './plan-catalog';
import { emptyPlanMemory, type PlanMemory, type PlanSource, rememberPlans, resolvePlan } from './plan-mapping';
import type { NormalisedEvent, NormalisedSubscription } from './stripe-events';
import { type SubscriptionSnapshot, snapshotOf } from './subscription-snapshot';
import type { WebhookEntitlementRecord } from './webhook-entitlement-record';

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
    billing: billingStateOf(record?.billing),
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

/** Applies one event to a customer's state with the ordering guard. Payment facts are registers (payment-facts.ts). */
export function transition(state: CustomerState, event: NormalisedEvent, catalog: PlanCatalog): Transition {
  const { signal } = event;
  switch (signal.kind) {
    case 'subscription': {
      const id = signal.subscription.id;
      // Every event teaches the plan memory, an older one too (it is keyed by event time, not arrival).
      const plans = rememberPlans(state.plans, signal.subscription, catalog, event.created);
      const billing = withTrialSeen(state.billing, signal.subscription, event.created);
      const learned = plans === state.plans && billing === state.billing ? state : { ...state, plans, billing };
      const order = orderEvent(state.subscriptions[id], event);
      if (order === 'tie') return { kind: 'tie', state: learned };
      if (order !== 'newer') return learned === state ? { kind: 'unchanged' } : { kind: 'applied', state: learned };
      const snapshot = snapshotOf(signal.subscription, catalog, event);
      return { kind: 'applied', state: { ...learned, subscriptions: { ...learned.subscriptions, [id]: snapshot } } };
    }
    case 'invoice': {
      const { subscriptionId, outcome } = signal;
      // Only subscription invoices decide access; a $0 invoice (trial start, credit, 100 % coupon) is never a payment.
      if (subscriptionId === null) return { kind: 'unchanged' };
      if (outcome === 'paid' && !signal.amountPaid) return { kind: 'unchanged' };
      const seen: Partial<InvoiceFacts> =
        outcome === 'paid'
          ? { subscriptionId, paidAt: event.created, amountPaid: signal.amountPaid }
          : outcome === 'failed'
            ? { subscriptionId, firstFailedAt: event.created }
            : { subscriptionId, closedAt: event.created };
      return billingStep(state, withInvoice(state.billing, signal.invoiceId, seen));
    }
    case 'refund': {
      if (!signal.charge) return { kind: 'unchanged' };
      return billingStep(state, withChargeRead(state.billing, signal.charge));
    }
    case 'dispute': {
      const seen = {
        chargeId: signal.chargeId,
        outcome: signal.outcome,
        fundsReinstated: signal.fundsReinstated,
        at: event.created,
      };
      const disputes = {
        ...state.billing.disputes,
        [signal.disputeId]: mergeDispute(state.billing.disputes[signal.disputeId], seen),
      };
      const billing = { ...state.billing, disputes };
      return billingStep(state, signal.charge ? withChargeRead(billing, signal.charge) : billing);
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
    case 'credit-purchase':
      // Credits live in their own ledger (credit-ledger.ts): nothing here changes the entitlement.
      return { kind: 'unchanged' };
    case 'checkout': {
      if (!signal.trialGranted) return { kind: 'unchanged' };
      return billingStep(state, withTrialGranted(state.billing, event.created));
    }
  }
}

/** A trial was granted at `at`: the first such time is kept (a min-register). */
function withTrialGranted(billing: BillingState, at: number): BillingState {
  return billing.trialGrantedAt !== null && billing.trialGrantedAt <= at ? billing : { ...billing, trialGrantedAt: at };
}

/** A subscription trialing, or with a trial end (Stripe keeps it after the trial), shows a trial was granted. */
function withTrialSeen(billing: BillingState, subscription: NormalisedSubscription, at: number): BillingState {
  const trial = subscription.status === 'trialing' || subscription.trialEnd !== null;
  return trial ? withTrialGranted(billing, at) : billing;
}

/** Applied when the payment facts changed (they are registers: re-applying the same event changes nothing). */
function billingStep(state: CustomerState, billing: BillingState): Transition {
  return stable(billing) === stable(state.billing)
    ? { kind: 'unchanged' }
    : { kind: 'applied', state: { ...state, billing } };
}

function withInvoice(billing: BillingState, invoiceId: string, seen: Partial<InvoiceFacts>): BillingState {
  return {
    ...billing,
    invoices: { ...billing.invoices, [invoiceId]: mergeInvoice(billing.invoices[invoiceId], seen) },
  };
}

/** What one read of a charge says: its refunded amount, and the invoice it paid (which counts as paid). */
function withChargeRead(billing: BillingState, read: ChargeRead & { readAt: number }): BillingState {
  const facts = {
    invoiceId: read.invoice?.id ?? null,
    amount: read.amount,
    amountRefunded: read.amountRefunded,
    readAt: read.readAt,
  };
  const next = {
    ...billing,
    charges: { ...billing.charges, [read.chargeId]: mergeCharge(billing.charges[read.chargeId], facts) },
  };
  const invoice = read.invoice;
  if (!invoice?.subscriptionId || !invoice.amountPaid || invoice.paidAt === null) return next;
  return withInvoice(next, invoice.id, {
    subscriptionId: invoice.subscriptionId,
    paidAt: invoice.paidAt,
    amountPaid: invoice.amountPaid,
  });
}

/** Key-order-independent JSON of plain data. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Replaces the snapshots of the subscriptions Stripe returned (its current truth) after a tie or a full re-read.
 * The guard time never goes backwards, so an older event arriving later still changes nothing. With
 * `keepNewer` (a listing read at `event.created`, used later: reconcile), a snapshot an event newer than the read
 * wrote is kept: the listing is older than it and must not undo it.
 */
export function withStripeSubscriptions(
  state: CustomerState,
  subscriptions: readonly NormalisedSubscription[],
  catalog: PlanCatalog,
  event: { id: string; created: number },
  options: { keepNewer?: boolean } = {},
): CustomerState {
  const next = { ...state.subscriptions };
  let plans = state.plans;
  let billing = state.billing;
  for (const subscription of subscriptions) {
    const stored = next[subscription.id];
    if (options.keepNewer && stored && stored.eventCreated > event.created) continue;
    const created = Math.max(stored?.eventCreated ?? 0, event.created);
    next[subscription.id] = snapshotOf(subscription, catalog, { id: event.id, created });
    plans = rememberPlans(plans, subscription, catalog, created);
    billing = withTrialSeen(billing, subscription, created);
  }
  return { ...state, subscriptions: next, plans, billing };
}
