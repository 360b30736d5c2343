import type { PlanCatalog } from './plan-catalog';
import type { EntitlementPolicy } from './policy-settings';
import type { UserProfile } from './profile';
import type { NormalisedSubscription } from './stripe-normalised';
import type { WebhookEntitlementRecord } from './webhook-entitlement-record';

/**
 * What drift detection reads about one user (a snapshot of each side), the run's context, and the questions
 * about a snapshot both the planner and reconcile's reads ask: is the user confirmed, which customer decides, can
 * the live subscription list be trusted.
 */

/** Cognito statuses of a user who has confirmed sign-up (Post-Confirmation ran, or should have). */
const CONFIRMED_STATUSES = new Set(['CONFIRMED', 'EXTERNAL_PROVIDER', 'RESET_REQUIRED']);

/** Subscription statuses that may still entitle (or come back): a stored one missing from Stripe's live list is suspicious. */
const ENDED_STATUSES = new Set(['canceled', 'incomplete_expired']);

export interface CognitoUserSnapshot {
  sub: string;
  username: string;
  email?: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
  identityProvider: string;
  status?: string;
}

export interface StripeCustomerSnapshot {
  id: string;
  /** `metadata.cognito_sub`, when set. */
  cognitoSub?: string;
  /** Epoch seconds. */
  created: number;
  /**
   * The customer's subscriptions. With `complete` false: Stripe's live ones only (what `customer.subscriptions`
   * embeds: no canceled ones); with `complete` true: every status (`subscriptions.list({ status: 'all' })`).
   */
  subscriptions: NormalisedSubscription[];
  complete: boolean;
}

export interface UserSnapshot {
  sub: string;
  cognito?: CognitoUserSnapshot;
  /** Managed groups the Cognito user really is in (undefined when there is no Cognito user). */
  cognitoGroups?: string[];
  profile?: UserProfile;
  record?: WebhookEntitlementRecord;
  /** Customers whose `metadata.cognito_sub` is this sub, plus the linked one (whatever its metadata). */
  customers: StripeCustomerSnapshot[];
}

export interface DriftContext {
  catalog: PlanCatalog;
  policy: EntitlementPolicy;
  now: Date;
  /** Epoch seconds when the Stripe listing started: the state it shows reflects every event before it. */
  stripeListedAt: number;
  /** Id recorded as the source of re-read subscription snapshots (the ordering guard's event id). */
  runId: string;
  /** Orphans and pending deletions are repaired (the run can delete accounts); else they are only reported. */
  deletesAccounts?: boolean;
}

export function isConfirmed(user: Pick<CognitoUserSnapshot, 'status'>): boolean {
  return user.status !== undefined && CONFIRMED_STATUSES.has(user.status);
}

/**
 * True when the customer's live subscription list cannot be trusted to show everything the record relies on: a
 * stored subscription in a non-ended status is absent (it was canceled and the webhook was lost). The caller then
 * lists the customer's subscriptions with every status.
 */
export function needsCompleteSubscriptionList(
  customer: Pick<StripeCustomerSnapshot, 'subscriptions' | 'complete'>,
  record: WebhookEntitlementRecord | undefined,
): boolean {
  if (customer.complete) return false;
  const listed = new Set(customer.subscriptions.map((subscription) => subscription.id));
  return Object.values(record?.subscriptions ?? {}).some(
    (stored) => !listed.has(stored.id) && !ENDED_STATUSES.has(stored.status),
  );
}

/** The customer to link when the profile has none: one with subscriptions first, then the oldest, then by id. */
export function preferredCustomer(customers: readonly StripeCustomerSnapshot[]): StripeCustomerSnapshot | undefined {
  return [...customers].sort(
    (a, b) =>
      Number(b.subscriptions.length > 0) - Number(a.subscriptions.length > 0) ||
      a.created - b.created ||
      a.id.localeCompare(b.id),
  )[0];
}

/** The customer id the user is linked to; without a profile, provisioning copies the record's into the new one. */
export function linkedCustomerId(snapshot: Pick<UserSnapshot, 'profile' | 'record'>): string | undefined {
  return snapshot.profile ? snapshot.profile.stripeCustomerId : snapshot.record?.stripeCustomerId;
}

/** The customer whose subscriptions decide the entitlement: the linked one, else the preferred one carrying the sub. */
export function customerFor(snapshot: UserSnapshot): StripeCustomerSnapshot | undefined {
  const linkedId = linkedCustomerId(snapshot);
  if (linkedId) return snapshot.customers.find((candidate) => candidate.id === linkedId);
  return preferredCustomer(snapshot.customers.filter((customer) => customer.cognitoSub === snapshot.sub));
}
