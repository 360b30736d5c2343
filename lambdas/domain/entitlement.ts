import type { PlanCatalog } from './plan-catalog';
import type { PlanId } from './plan-catalog-schema';

/**
 * What a user may do: the derived view that the Entitlements table stores and the status endpoint serves.
 * Pure module: no AWS, no Stripe SDK. Times are ISO-8601 strings (UTC) or null.
 */

export const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/**
 * `none`: never subscribed; `expired`: a trial or grace period that ended; `revoked`: the payment for the current
 * period was taken back (full refund or lost dispute, `paymentReversal` says which); else Stripe's status.
 */
export type EntitlementStatus = SubscriptionStatus | 'none' | 'expired' | 'revoked';

export interface Entitlement {
  status: EntitlementStatus;
  plan: PlanId;
  entitled: boolean;
  features: string[];
  /** Managed Cognito groups the user should be in (exactly one plan group). */
  groups: string[];
  currentPeriodEnd: string | null;
  trialEndsAt: string | null;
  cancelAtPeriodEnd: boolean;
  /**
   * When the subscription is cancelled to end (Stripe's `cancel_at`, which may be after this period), else null:
   * access lasts until then. Absent on records written before it.
   */
  cancelAt?: string | null;
  /** End of the past_due grace window, when one is running. */
  graceEndsAt: string | null;
  /**
   * The charge that paid the current period was fully refunded or lost in a dispute: access `revoked`, or kept and
   * `flagged` (per-stage policy). Absent on records written before it.
   */
  paymentReversal?: PaymentReversalView | null;
}

export interface PaymentReversalView {
  action: 'revoked' | 'flagged';
  reason: 'refund' | 'dispute';
  chargeId: string;
}

/** The Entitlements table item (key `cognito_sub`). */
export interface EntitlementRecord extends Entitlement {
  cognito_sub: string;
  /** Cognito username for group calls (differs from the sub for federated users); copied from the profile. */
  cognitoUsername?: string;
  /** Groups confirmed applied in Cognito; differs from `groups` only while a group change is pending. */
  cognitoGroups: string[];
  /** Bumped by every record of the applied groups: concurrent appliers compare-and-set on it (absent: 0). */
  cognitoGroupsVersion?: number;
  /**
   * Set when concurrent appliers did not settle (apply-groups.ts): Cognito's membership is unknown, so the next
   * applier lists it instead of trusting `cognitoGroups`. Cleared by the next compare-and-set record.
   */
  cognitoGroupsUnverified?: boolean;
  email?: string;
  stripeCustomerId?: string;
  subscriptionIds: string[];
  /** `created` (epoch seconds) of the newest Stripe event applied: the ordering guard. */
  lastEventCreated: number;
  lastEventId?: string;
  /** Increases on every change, so clients can tell a new answer from an old one. */
  entitlementsVersion: number;
  /** True once the user has had any trial (no-card or Stripe): one trial per identity. */
  trialUsed: boolean;
  /** An operator's override (entitlement-override.ts): while active, the entitlement above is its plan. */
  override?: EntitlementOverride;
  /** The policy's entitlement (Stripe or the no-card trial) under the override; present only with `override`. */
  beneath?: Entitlement;
  createdAt: string;
  updatedAt: string;
}

/** A plan granted by an operator (a comp, a partner, a support gesture), until `endsAt` or until revoked. */
export interface EntitlementOverride {
  plan: PlanId;
  /** ISO-8601; null: until revoked. */
  endsAt: string | null;
  reason: string;
  operator: { sub: string; email?: string };
  grantedAt: string;
}

/** The entitlement of a user with no subscription: the free plan. */
export function freeEntitlement(catalog: PlanCatalog, status: EntitlementStatus = 'none'): Entitlement {
  const free = catalog.plan('free');
  return {
    status,
    plan: 'free',
    entitled: false,
    features: [...free.features],
    groups: [free.group],
    currentPeriodEnd: null,
    trialEndsAt: null,
    cancelAtPeriodEnd: false,
    cancelAt: null,
    graceEndsAt: null,
    paymentReversal: null,
  };
}

/** A brand-new record for a user who just signed up (or whose profile was healed). */
export function initialEntitlementRecord(
  catalog: PlanCatalog,
  user: { sub: string; cognitoUsername?: string; email?: string; stripeCustomerId?: string },
  now: Date,
): EntitlementRecord {
  const iso = now.toISOString();
  return {
    ...freeEntitlement(catalog),
    cognito_sub: user.sub,
    cognitoGroups: [],
    ...(user.cognitoUsername ? { cognitoUsername: user.cognitoUsername } : {}),
    ...(user.email ? { email: user.email } : {}),
    ...(user.stripeCustomerId ? { stripeCustomerId: user.stripeCustomerId } : {}),
    subscriptionIds: [],
    lastEventCreated: 0,
    entitlementsVersion: 1,
    trialUsed: false,
    createdAt: iso,
    updatedAt: iso,
  };
}

function ended(at: string | null, now: Date): boolean {
  return at !== null && Date.parse(at) <= now.getTime();
}

/**
 * Applies time at read: a stored entitlement whose trial, grace window or cancelled period has ended reads as
 * not entitled even before any job or webhook has rewritten it. Anything still running is returned unchanged.
 */
export function evaluateAtRead(entitlement: Entitlement, catalog: PlanCatalog, now: Date): Entitlement {
  if (!entitlement.entitled) return entitlement;
  const trialOver = entitlement.status === 'trialing' && ended(entitlement.trialEndsAt, now);
  const graceOver = entitlement.status === 'past_due' && ended(entitlement.graceEndsAt, now);
  const cancelAt = entitlement.cancelAt ?? (entitlement.cancelAtPeriodEnd ? entitlement.currentPeriodEnd : null);
  const periodOver = ended(cancelAt, now);
  if (trialOver || graceOver) return { ...freeEntitlement(catalog, 'expired'), trialEndsAt: entitlement.trialEndsAt };
  if (periodOver) return freeEntitlement(catalog, 'canceled');
  return entitlement;
}

/** Picks the Entitlement fields out of a stored record (drops bookkeeping). */
export function entitlementOf(record: Entitlement): Entitlement {
  const { status, plan, entitled, features, groups, currentPeriodEnd, trialEndsAt, cancelAtPeriodEnd, graceEndsAt } =
    record;
  return {
    status,
    plan,
    entitled,
    features,
    groups,
    currentPeriodEnd,
    trialEndsAt,
    cancelAtPeriodEnd,
    cancelAt: record.cancelAt ?? null,
    graceEndsAt,
    paymentReversal: record.paymentReversal ?? null,
  };
}
