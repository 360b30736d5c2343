import {
  type Entitlement,
  type EntitlementRecord,
  entitlementOf,
  evaluateAtRead,
  initialEntitlementRecord,
} from './entitlement';
import {
  computeEntitlement,
  type EntitlementPolicy,
  keepRunningNoCardTrial,
  type WebhookEntitlementRecord,
} from './entitlement-policy';
import { type CustomerState, customerStateOf, withStripeSubscriptions } from './event-ordering';
import { diffManagedGroups } from './groups';
import type { PlanCatalog } from './plan-catalog';
import type { UserProfile } from './profile';
import type { NormalisedSubscription } from './stripe-events';

/**
 * Drift detection for reconcile: snapshots of one user in Cognito, UserProfiles, Stripe, Entitlements and the
 * Cognito groups in, findings and an ordered repair plan out. Pure (no AWS, no Stripe SDK, no clock), so a
 * dry-run reports exactly what an apply would do: the apply executes this same plan.
 *
 * The expected entitlement is the webhook's own policy (`computeEntitlement`) over the customer's subscriptions as
 * Stripe lists them now, merged into the record's per-subscription state with the webhook's ordering rule
 * (`withStripeSubscriptions`), so payment signals the record holds (disputes, refunds) are kept.
 */

export const DRIFT_KINDS = [
  'missing-profile',
  'missing-entitlement-record',
  'missing-stripe-customer',
  'duplicate-stripe-customers',
  'linked-customer-missing',
  'entitlement-mismatch',
  'period-ended',
  'groups-mismatch',
  'parked-events',
  'orphaned-profile',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** Kinds reconcile never repairs by itself (an operator decides). */
export const REPORT_ONLY_KINDS: ReadonlySet<DriftKind> = new Set([
  'duplicate-stripe-customers',
  'linked-customer-missing',
  'orphaned-profile',
]);

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
}

/** Placeholder for the id of a customer the plan creates (known only after the create). */
export const NEW_CUSTOMER = '(new customer)';

export type RepairAction =
  | { type: 'provision-user'; user: CognitoUserSnapshot }
  | { type: 'link-customer'; customerId: string }
  | { type: 'create-customer'; email: string; name?: string }
  | {
      /** Recompute and write with the webhook's write path (`recomputeEntitlementFromStripe`). */
      type: 'recompute-entitlement';
      /** Whose subscriptions: the linked/found customer, or NEW_CUSTOMER (no subscriptions). */
      customerId: string;
      from: Entitlement;
      to: Entitlement;
    }
  | { type: 'sync-groups'; username: string; current: string[]; desired: string[]; add: string[]; remove: string[] };

export interface DriftFinding {
  kind: DriftKind;
  sub: string;
  /** Human-readable, free of emails and secrets. */
  detail: string;
  repair: 'apply' | 'report-only';
}

export interface UserPlan {
  sub: string;
  findings: DriftFinding[];
  actions: RepairAction[];
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

const sortedSet = (values: readonly string[]) => [...new Set(values)].sort();
const sameSet = (a: readonly string[], b: readonly string[]) =>
  sortedSet(a).join('\u0000') === sortedSet(b).join('\u0000');

/**
 * Whether two entitlements give the same thing. Two non-entitled free states are the same whatever their status
 * label (`none`, `canceled`, `expired`): recomputing cannot tell them apart once subscriptions are gone.
 */
export function sameEntitlement(a: Entitlement, b: Entitlement): boolean {
  const sameAccess = a.entitled === b.entitled && a.plan === b.plan && sameSet(a.groups, b.groups);
  if (!a.entitled && !b.entitled) return sameAccess && sameSet(a.features, b.features);
  return (
    sameAccess &&
    a.status === b.status &&
    sameSet(a.features, b.features) &&
    a.currentPeriodEnd === b.currentPeriodEnd &&
    a.trialEndsAt === b.trialEndsAt &&
    a.cancelAtPeriodEnd === b.cancelAtPeriodEnd &&
    a.graceEndsAt === b.graceEndsAt
  );
}

/**
 * The customer's state as Stripe shows it now, merged into the record's state exactly as the webhook's
 * `recomputeEntitlementFromStripe` merges it (same ordering rule, same guard time).
 */
export function customerStateFromStripe(
  record: WebhookEntitlementRecord | undefined,
  customer: Pick<StripeCustomerSnapshot, 'subscriptions'>,
  ctx: DriftContext,
): CustomerState {
  const readAt = stripeReadAt(ctx);
  return withStripeSubscriptions(customerStateOf(record), customer.subscriptions, ctx.catalog, {
    id: `reconcile:${readAt.toISOString()}`,
    created: Math.floor(readAt.getTime() / 1000),
  });
}

/** Every event before the listing started is reflected in it: older deliveries must not roll it back. */
export function stripeReadAt(ctx: Pick<DriftContext, 'stripeListedAt'>): Date {
  return new Date((ctx.stripeListedAt - 1) * 1000);
}

/**
 * What the record should say: the policy over the merged state, except that a running no-card trial (plan
 * `trial`, no active or trialing Stripe subscription behind it) is kept until it ends, the same rule the
 * webhook's write path applies (keepRunningNoCardTrial).
 */
export function expectedEntitlement(
  record: EntitlementRecord,
  state: CustomerState,
  ctx: Pick<DriftContext, 'catalog' | 'policy' | 'now'>,
): Entitlement {
  const computed = computeEntitlement(
    Object.values(state.subscriptions),
    ctx.catalog,
    ctx.now,
    ctx.policy,
    state.billing,
  );
  return keepRunningNoCardTrial(record, computed, Object.values(state.subscriptions), ctx.now);
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

const customerLabel = (customer: StripeCustomerSnapshot) =>
  `${customer.id} (${customer.subscriptions.length} subscription${customer.subscriptions.length === 1 ? '' : 's'})`;

/** Findings and the ordered repair plan for one user. */
export function planUser(snapshot: UserSnapshot, ctx: DriftContext): UserPlan {
  const { sub, cognito, profile } = snapshot;
  const findings: DriftFinding[] = [];
  const actions: RepairAction[] = [];
  const find = (kind: DriftKind, detail: string) =>
    findings.push({ kind, sub, detail, repair: REPORT_ONLY_KINDS.has(kind) ? 'report-only' : 'apply' });

  if (!cognito || !isConfirmed(cognito)) {
    if (!cognito && (profile || snapshot.record)) {
      find('orphaned-profile', 'profile or entitlement record without a Cognito user (deleted?): left as is');
    }
    return { sub, findings, actions };
  }

  // 1. Profile and Entitlements record: the same code as Post-Confirmation creates whatever is missing.
  const record = snapshot.record;
  if (!profile || !record) {
    find(
      profile ? 'missing-entitlement-record' : 'missing-profile',
      profile
        ? 'profile without an Entitlements record'
        : `confirmed Cognito user (${cognito.status}) without a profile`,
    );
    actions.push({ type: 'provision-user', user: cognito });
  }

  // 2. Stripe customer: the linked one, else one found by metadata.cognito_sub, else a new one.
  const ownCustomers = snapshot.customers.filter((customer) => customer.cognitoSub === sub);
  const linkedId = linkedCustomerId(snapshot);
  const customer = customerFor(snapshot);
  let customerId: string | undefined = linkedId;
  if (linkedId) {
    if (!customer) {
      find('linked-customer-missing', `linked Stripe customer ${linkedId} is not listed by Stripe (deleted?)`);
    }
  } else if (customer) {
    find('missing-stripe-customer', `profile has no Stripe customer: link ${customerLabel(customer)}`);
    actions.push({ type: 'link-customer', customerId: customer.id });
    customerId = customer.id;
  } else {
    find('missing-stripe-customer', 'profile has no Stripe customer and none has this cognito_sub: create one');
    const name = [cognito.givenName, cognito.familyName].filter(Boolean).join(' ');
    actions.push({ type: 'create-customer', email: profile?.email ?? cognito.email ?? '', ...(name ? { name } : {}) });
    customerId = NEW_CUSTOMER;
  }
  if (ownCustomers.length > 1) {
    const keep = customerId && customerId !== NEW_CUSTOMER ? customerId : preferredCustomer(ownCustomers)?.id;
    find(
      'duplicate-stripe-customers',
      `${ownCustomers.length} Stripe customers carry this cognito_sub: ${ownCustomers.map(customerLabel).join(', ')}; ` +
        `kept ${keep}; none deleted`,
    );
  }

  // 3. Entitlement: what the customer's subscriptions give now, by the webhook's policy.
  const base: WebhookEntitlementRecord = record ?? provisionedRecord(snapshot, cognito, ctx);
  // A new customer has no subscriptions; a vanished linked one shows none: the record's own snapshots then decide
  // (time applied), exactly what the write path does with an empty list.
  const state = customerStateFromStripe(record, customer ?? { subscriptions: [] }, ctx);
  const stored = entitlementOf(base);
  const expected = expectedEntitlement(base, state, ctx);
  const current = (snapshot.cognitoGroups ?? []).filter((group) => ctx.catalog.isManagedGroup(group));
  // The write path fills in a missing customer id (it never replaces one).
  const customerChanged = customerId !== undefined && base.stripeCustomerId === undefined;
  let desiredGroups = stored.groups;
  let entitlementWritten = false;
  if (!sameEntitlement(stored, expected) || customerChanged) {
    const ended = stored.entitled && !expected.entitled && !evaluateAtRead(stored, ctx.catalog, ctx.now).entitled;
    if (!sameEntitlement(stored, expected)) {
      find(
        ended ? 'period-ended' : 'entitlement-mismatch',
        ended
          ? `${stored.status} ${stored.plan} ended (${stored.trialEndsAt ?? stored.graceEndsAt ?? stored.currentPeriodEnd}): downgrade to ${expected.plan}`
          : `stored ${describe(stored)}, Stripe gives ${describe(expected)}`,
      );
    }
    actions.push({ type: 'recompute-entitlement', customerId: customerId ?? NEW_CUSTOMER, from: stored, to: expected });
    desiredGroups = expected.groups;
    entitlementWritten = true;
  }

  // 4. Groups: the real Cognito membership against what the (repaired) entitlement asks for.
  const desired = desiredGroups.filter((group) => ctx.catalog.isManagedGroup(group));
  const { add, remove } = diffManagedGroups(current, desired, ctx.catalog);
  const recordedStale = !sameSet(base.cognitoGroups ?? [], desired);
  if (add.length > 0 || remove.length > 0 || (recordedStale && !entitlementWritten && record)) {
    if (add.length > 0 || remove.length > 0) {
      find('groups-mismatch', `Cognito groups [${current.join(', ')}], entitlement wants [${desired.join(', ')}]`);
    } else {
      find(
        'groups-mismatch',
        `recorded groups [${(base.cognitoGroups ?? []).join(', ')}] differ from Cognito [${current.join(', ')}]`,
      );
    }
    actions.push({ type: 'sync-groups', username: cognito.username, current, desired, add, remove });
  }
  return { sub, findings, actions };
}

function describe(entitlement: Entitlement): string {
  return `${entitlement.plan}/${entitlement.status}${entitlement.entitled ? '' : ' (not entitled)'}`;
}

/** The record provisioning creates for a user without one (what `provisionUser` writes). */
function provisionedRecord(snapshot: UserSnapshot, cognito: CognitoUserSnapshot, ctx: DriftContext): EntitlementRecord {
  const stripeCustomerId = snapshot.profile?.stripeCustomerId;
  const fresh = initialEntitlementRecord(
    ctx.catalog,
    { sub: snapshot.sub, cognitoUsername: cognito.username, ...(stripeCustomerId ? { stripeCustomerId } : {}) },
    ctx.now,
  );
  // provisionUser applies the new record's groups before anything else runs.
  return { ...fresh, cognitoGroups: fresh.groups.filter((group) => ctx.catalog.isManagedGroup(group)) };
}

export interface ParkedEventRef {
  eventId: string;
  type: string;
  stripeCustomerId: string;
  reason: string;
}

/** One finding per parked (unresolved) webhook event: apply retries them with the webhook's own code. */
export function parkedEventFindings(parked: readonly ParkedEventRef[]): DriftFinding[] {
  return [...parked]
    .sort((a, b) => a.eventId.localeCompare(b.eventId))
    .map((event) => ({
      kind: 'parked-events' as const,
      sub: '*',
      detail: `parked ${event.type} ${event.eventId} (${event.reason}${event.stripeCustomerId ? `, customer ${event.stripeCustomerId}` : ''}): retry`,
      repair: 'apply' as const,
    }));
}

/** Counts per kind, every kind present (zeros included) so dashboards and the CLI table are stable. */
export function countByKind(findings: readonly DriftFinding[]): Record<DriftKind, number> {
  const counts = Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as Record<DriftKind, number>;
  for (const finding of findings) counts[finding.kind] += 1;
  return counts;
}
