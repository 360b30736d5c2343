import type { DeletionTrigger } from './account-deletion';
import {
  customerStateFromStripe,
  expectedEntitlement,
  overrideDriftOf,
  sameEntitlement,
  sameSet,
} from './drift-entitlement';
import { type DriftKind, NEW_CUSTOMER, REPORT_ONLY_KINDS, type UserPlan } from './drift-findings';
import {
  type CognitoUserSnapshot,
  customerFor,
  type DriftContext,
  isConfirmed,
  linkedCustomerId,
  preferredCustomer,
  type StripeCustomerSnapshot,
  type UserSnapshot,
} from './drift-snapshots';
import { sameEmail } from './email';
import { type Entitlement, type EntitlementRecord, entitlementOf, initialEntitlementRecord } from './entitlement';
import { diffManagedGroups, managedGroupsOf } from './groups';
import { currentEntitlement } from './trial';
import type { WebhookEntitlementRecord } from './webhook-entitlement-record';

/**
 * One user's findings and ordered repair plan. The steps run in the order the repairs must: a profile and record
 * first, then the Stripe customer, then the entitlement from its subscriptions, then the Cognito groups it asks for.
 */
export function planUser(snapshot: UserSnapshot, ctx: DriftContext): UserPlan {
  const { sub, cognito, profile } = snapshot;
  const plan: UserPlan = { sub, findings: [], actions: [] };
  if (profile?.deletion) {
    // The user's deletion (or an orphan clean-up) stopped part-way: finish it, whatever else is left.
    planDeletion(
      plan,
      ctx,
      'account-deletion-pending',
      profile.deletion.trigger,
      `deletion requested ${profile.deletion.requestedAt} (${profile.deletion.trigger}) not finished`,
    );
    return plan;
  }
  if (!cognito || !isConfirmed(cognito)) {
    if (!cognito && (profile || snapshot.record)) {
      planDeletion(
        plan,
        ctx,
        'orphaned-profile',
        'orphan',
        'profile or entitlement record without a Cognito user (deleted)',
      );
    }
    return plan;
  }
  planProvisioning(plan, snapshot, cognito);
  planEmailChange(plan, snapshot, cognito);
  const customer = planCustomer(plan, snapshot, cognito);
  const entitlement = planEntitlement(plan, snapshot, cognito, customer, ctx);
  planGroups(plan, snapshot, cognito, entitlement, ctx);
  return plan;
}

function find(plan: UserPlan, kind: DriftKind, detail: string, reportOnly = REPORT_ONLY_KINDS.has(kind)): void {
  plan.findings.push({ kind, sub: plan.sub, detail, repair: reportOnly ? 'report-only' : 'apply' });
}

/** 0. An account to delete: repaired only by a run that can delete accounts (else left as is and reported). */
function planDeletion(plan: UserPlan, ctx: DriftContext, kind: DriftKind, trigger: DeletionTrigger, why: string) {
  if (!ctx.deletesAccounts) {
    find(plan, kind, `${why}: left as is`, true);
    return;
  }
  find(
    plan,
    kind,
    `${why}: delete the account's rows${trigger === 'orphan' ? ' (subscriptions per stage setting)' : ''}`,
  );
  plan.actions.push({ type: 'delete-account', trigger });
}

/** 1b. The user changed their email in Cognito: the profile follows (the old address is free again). */
function planEmailChange(plan: UserPlan, snapshot: UserSnapshot, cognito: CognitoUserSnapshot): void {
  const { profile } = snapshot;
  if (!profile || !cognito.email || sameEmail(profile.email, cognito.email)) return;
  find(plan, 'profile-email-changed', 'the Cognito user has another email than the profile: update the profile');
  // Provisioning upserts the profile from the Cognito user: one run of it covers a missing record too.
  if (!plan.actions.some((action) => action.type === 'provision-user')) {
    plan.actions.push({ type: 'provision-user', user: cognito });
  }
}

/** 1. Profile and Entitlements record: the same code as Post-Confirmation creates whatever is missing. */
function planProvisioning(plan: UserPlan, snapshot: UserSnapshot, cognito: CognitoUserSnapshot): void {
  const { profile, record } = snapshot;
  if (profile && record) return;
  find(
    plan,
    profile ? 'missing-entitlement-record' : 'missing-profile',
    profile ? 'profile without an Entitlements record' : `confirmed Cognito user (${cognito.status}) without a profile`,
  );
  plan.actions.push({ type: 'provision-user', user: cognito });
}

interface PlannedCustomer {
  /** The customer whose subscriptions decide (undefined: none listed). */
  customer: StripeCustomerSnapshot | undefined;
  /** The id the user ends with: linked, found, NEW_CUSTOMER, or undefined when the linked one vanished unlinked. */
  customerId: string | undefined;
}

/** 2. Stripe customer: the linked one, else one found by metadata.cognito_sub, else a new one. */
function planCustomer(plan: UserPlan, snapshot: UserSnapshot, cognito: CognitoUserSnapshot): PlannedCustomer {
  const { sub, profile } = snapshot;
  const ownCustomers = snapshot.customers.filter((customer) => customer.cognitoSub === sub);
  const linkedId = linkedCustomerId(snapshot);
  const customer = customerFor(snapshot);
  let customerId: string | undefined = linkedId;
  if (linkedId) {
    if (!customer) {
      find(plan, 'linked-customer-missing', `linked Stripe customer ${linkedId} is not listed by Stripe (deleted?)`);
    }
  } else if (customer) {
    find(plan, 'missing-stripe-customer', `profile has no Stripe customer: link ${customerLabel(customer)}`);
    plan.actions.push({ type: 'link-customer', customerId: customer.id });
    customerId = customer.id;
  } else {
    find(plan, 'missing-stripe-customer', 'profile has no Stripe customer and none has this cognito_sub: create one');
    const name = [cognito.givenName, cognito.familyName].filter(Boolean).join(' ');
    plan.actions.push({
      type: 'create-customer',
      email: profile?.email ?? cognito.email ?? '',
      ...(name ? { name } : {}),
    });
    customerId = NEW_CUSTOMER;
  }
  if (ownCustomers.length > 1) {
    const keep = customerId && customerId !== NEW_CUSTOMER ? customerId : preferredCustomer(ownCustomers)?.id;
    find(
      plan,
      'duplicate-stripe-customers',
      `${ownCustomers.length} Stripe customers carry this cognito_sub: ${ownCustomers.map(customerLabel).join(', ')}; ` +
        `kept ${keep}; none deleted`,
    );
  }
  return { customer, customerId };
}

interface PlannedEntitlement {
  /** The record as it stands, or as provisioning will create it. */
  base: WebhookEntitlementRecord;
  /** The groups the record will ask for once the plan ran. */
  desiredGroups: string[];
  /** Whether the plan rewrites the record (which also records the groups). */
  written: boolean;
}

/** 3. Entitlement: what the customer's subscriptions give now, by the webhook's policy. */
function planEntitlement(
  plan: UserPlan,
  snapshot: UserSnapshot,
  cognito: CognitoUserSnapshot,
  { customer, customerId }: PlannedCustomer,
  ctx: DriftContext,
): PlannedEntitlement {
  const record = snapshot.record;
  const base: WebhookEntitlementRecord = record ?? provisionedRecord(snapshot, cognito, ctx);
  // A new customer has no subscriptions; a vanished linked one shows none: the record's own snapshots then decide
  // (time applied), exactly what the write path does with an empty list.
  const state = customerStateFromStripe(record, customer ?? { subscriptions: [] }, ctx);
  const stored = entitlementOf(base);
  const expected = expectedEntitlement(base, state, ctx);
  // The write path fills in a missing customer id (it never replaces one).
  const customerChanged = customerId !== undefined && base.stripeCustomerId === undefined;
  const overrideDrift = overrideDriftOf(base, state, ctx, describe);
  if (sameEntitlement(stored, expected) && !customerChanged && !overrideDrift) {
    return { base, desiredGroups: stored.groups, written: false };
  }
  if (!sameEntitlement(stored, expected)) {
    const ended = stored.entitled && !expected.entitled && !currentEntitlement(base, ctx.catalog, ctx.now).entitled;
    find(
      plan,
      ended ? 'period-ended' : 'entitlement-mismatch',
      ended
        ? `${stored.status} ${stored.plan} ended (${base.override?.endsAt ?? stored.trialEndsAt ?? stored.graceEndsAt ?? stored.currentPeriodEnd}): downgrade to ${expected.plan}`
        : `stored ${describe(stored)}, Stripe gives ${describe(expected)}`,
    );
  } else if (overrideDrift) {
    find(plan, 'entitlement-mismatch', overrideDrift);
  }
  plan.actions.push({
    type: 'recompute-entitlement',
    customerId: customerId ?? NEW_CUSTOMER,
    from: stored,
    to: expected,
  });
  return { base, desiredGroups: expected.groups, written: true };
}

/** 4. Groups: the real Cognito membership against what the (repaired) entitlement asks for. */
function planGroups(
  plan: UserPlan,
  snapshot: UserSnapshot,
  cognito: CognitoUserSnapshot,
  { base, desiredGroups, written }: PlannedEntitlement,
  ctx: DriftContext,
): void {
  const current = managedGroupsOf(snapshot.cognitoGroups, ctx.catalog);
  const desired = managedGroupsOf(desiredGroups, ctx.catalog);
  const { add, remove } = diffManagedGroups(current, desired, ctx.catalog);
  const recordedStale = !sameSet(base.cognitoGroups ?? [], desired);
  const cognitoDiffers = add.length > 0 || remove.length > 0;
  // Recorded groups alone matter only for an existing record step 3 leaves alone: a rewrite records them anyway.
  if (!cognitoDiffers && !(recordedStale && !written && snapshot.record)) return;
  find(
    plan,
    'groups-mismatch',
    cognitoDiffers
      ? `Cognito groups [${current.join(', ')}], entitlement wants [${desired.join(', ')}]`
      : `recorded groups [${(base.cognitoGroups ?? []).join(', ')}] differ from Cognito [${current.join(', ')}]`,
  );
  plan.actions.push({ type: 'sync-groups', username: cognito.username, current, desired, add, remove });
}

const customerLabel = (customer: StripeCustomerSnapshot) =>
  `${customer.id} (${customer.subscriptions.length} subscription${customer.subscriptions.length === 1 ? '' : 's'})`;

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
  return { ...fresh, cognitoGroups: managedGroupsOf(fresh.groups, ctx.catalog) };
}
