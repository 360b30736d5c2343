import type { AuditEntry } from './audit-entry';
import {
  type Entitlement,
  type EntitlementRecord,
  entitlementOf,
  freeEntitlement,
  type SubscriptionStatus,
} from './entitlement';
import {
  type ChargeFacts,
  type DisputeFacts,
  type InvoiceFacts,
  type PaymentReversalAction,
  type Reversal,
  reversalOf,
  unpaidStreakStart,
} from './payment-facts';
import type { PlanCatalog, PlanDefinition, PlanId } from './plan-catalog';
import { type PlanMemory, payloadPlan } from './plan-mapping';
import type { NormalisedSubscription } from './stripe-events';

/**
 * The entitlement policy: all of a customer's subscriptions (+ per-customer payment flags) -> one Entitlement.
 * Pure: no AWS, no Stripe SDK, no clock (now is a parameter). Times inside snapshots are epoch seconds.
 */

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

/** Per-customer payment facts (payment-facts.ts). Every field only moves one way: any delivery order agrees. */
export interface BillingState {
  invoices: Record<string, InvoiceFacts>;
  charges: Record<string, ChargeFacts>;
  disputes: Record<string, DisputeFacts>;
  /** `customer.deleted`: every subscription state at or before this second reads as canceled. */
  customerDeletedAt: number | null;
  /**
   * First time (epoch s) a Stripe trial was seen: a subscription `trialing` or with a `trial_end`, or a checkout that
   * granted one. The user's trial is then used for good (one trial per identity).
   */
  trialGrantedAt: number | null;
}

export interface EntitlementPolicy {
  gracePeriodDays: number;
  /**
   * A full refund or lost dispute of the charge that paid a subscription's latest non-zero invoice: `revoke` ends
   * that subscription's access, `flag` keeps it and marks the entitlement, `ignore` does neither.
   */
  paymentReversal: PaymentReversalAction;
  /**
   * A subscription whose payment collection is paused (`pause_collection`, status stays active): `keep` access
   * (Stripe's documented meaning: the service is offered for free meanwhile; the default) or `revoke` it (shown as
   * `paused`) until collection resumes.
   */
  pausedCollection?: PausedCollectionAccess;
}

export const PAUSED_COLLECTION_ACCESS = ['keep', 'revoke'] as const;
export type PausedCollectionAccess = (typeof PAUSED_COLLECTION_ACCESS)[number];

/** The Entitlements item as the webhook keeps it: the shared record plus the state it recomputes from. */
export type WebhookEntitlementRecord = EntitlementRecord & {
  subscriptions?: Record<string, SubscriptionSnapshot>;
  billing?: BillingState;
  /** What this customer's events taught about prices and plans (plan-mapping.ts). */
  planMemory?: PlanMemory;
  /**
   * Audit entries written in the same conditional write as their change and kept until known to be in the
   * AuditLog (a redelivery or reconcile re-puts them, idempotently). Internal: never part of an API answer.
   */
  pendingAudit?: AuditEntry[];
};

export function emptyBillingState(): BillingState {
  return { invoices: {}, charges: {}, disputes: {}, customerDeletedAt: null, trialGrantedAt: null };
}

/**
 * The billing state of a stored record. Records written before per-object facts have `lastRefundAt`/`lastPaidAt`
 * and disputes without their charge: those cannot be tied to a subscription's payment and are dropped.
 */
export function billingStateOf(stored: Partial<BillingState> | undefined): BillingState {
  const disputes = Object.fromEntries(
    Object.entries(stored?.disputes ?? {}).filter(([, dispute]) => typeof dispute?.chargeId === 'string'),
  );
  return {
    invoices: { ...(stored?.invoices ?? {}) },
    charges: { ...(stored?.charges ?? {}) },
    disputes,
    customerDeletedAt: stored?.customerDeletedAt ?? null,
    trialGrantedAt: stored?.trialGrantedAt ?? null,
  };
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

const DAY_SECONDS = 86_400;

/** When a subscription's access ends: its `cancel_at` (any date), else the period end when cancelling at it. */
function accessEndsAt(snapshot: SubscriptionSnapshot): number | null {
  return snapshot.cancelAt ?? (snapshot.cancelAtPeriodEnd ? snapshot.currentPeriodEnd : null);
}
const iso = (epochSeconds: number | null) =>
  epochSeconds === null ? null : new Date(epochSeconds * 1000).toISOString();

interface Evaluated {
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

function evaluate(
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
