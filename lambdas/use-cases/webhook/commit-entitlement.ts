import { entitlementOf, initialEntitlementRecord } from '../../domain/entitlement';
import { beneathOf, withOverride } from '../../domain/entitlement-override';
import { computeEntitlement, keepRunningNoCardTrial } from '../../domain/entitlement-policy';
import { DependencyUnavailableError } from '../../domain/errors';
import { type CustomerState, customerStateOf, resolvedSubscriptions } from '../../domain/event-ordering';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import { logger } from '../../platform/logger';
import { applyGroups } from './apply-groups';
import type {
  ChangeSource,
  Decide,
  EntitlementWriteResult,
  EntitlementWriterDeps,
  UserContext,
} from './entitlement-writer-types';
import { auditEntryOf, carryPendingAudit, reputOwnPendingEntry } from './pending-audit';
import { meaningful, stable } from './record-substance';

/**
 * The one write path of the derived view: read (consistent), decide, compute with the pure policy, conditional
 * write on `entitlementsVersion` (re-read and retry on a lost race), then audit and Cognito groups. Groups are
 * synced whenever the record's desired groups differ from the applied ones, even when this change wrote nothing:
 * that is how a retry after a Cognito failure converges.
 *
 * Audit (no transactions): the change's entry rides in the same conditional write (`pendingAudit`), then is put
 * to the AuditLog (conditional on its key). If that put fails, the entry is still on the record: the caller's
 * retry (Stripe redelivery, reconcile's next run) finds it and re-puts it, so an applied change ends with exactly
 * one entry, and a change that was not written has none. Later writes carry pending entries forward at no extra
 * request; reconcile re-puts and clears them (`settlePendingAudit`).
 */
export async function commitEntitlement(
  deps: EntitlementWriterDeps,
  user: UserContext,
  change: ChangeSource,
  decide: Decide,
): Promise<EntitlementWriteResult> {
  const attempts = deps.maxWriteAttempts ?? 5;
  let prefetched = user.record;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const record: WebhookEntitlementRecord | undefined = prefetched ?? (await deps.entitlements.get(user.sub));
    prefetched = undefined;
    const now = deps.clock.now();
    const state = customerStateOf(record);
    const decided = await decide(state, record);
    const next = nextRecord(deps, { user, change, record, state, decided, now });
    if (record && stable(meaningful(record)) === stable(meaningful(next))) {
      // Already applied: a retry of this change re-puts its entry if the first attempt's put may have failed.
      await reputOwnPendingEntry(deps, record, change);
      const groups = await applyGroups(deps, record, user);
      return { sub: user.sub, changed: false, before: entitlementOf(record), record, groups };
    }
    next.entitlementsVersion = (record?.entitlementsVersion ?? 0) + 1;
    next.updatedAt = now.toISOString();
    const before = record ? entitlementOf(record) : undefined;
    const entry = auditEntryOf(deps, next, before, change);
    next.pendingAudit = await carryPendingAudit(deps, record, entry);
    // The email's mark before the record: if it fails, nothing is written and the retry (Stripe's, reconcile's)
    // finds the trial unmarked again; a mark without the record is still true (Stripe granted the trial).
    if (next.trialUsed && !record?.trialUsed && next.email) await deps.trialMarks?.markTrialUsed(next.email, now);
    const outcome = await deps.entitlements.writeIfVersion(next, record ? record.entitlementsVersion : null);
    if (outcome === 'conflict') continue;
    logUnknownPrices(deps, next, change);
    if (entry) await deps.audit.append(entry);
    const groups = await applyGroups(deps, next, user);
    return { sub: user.sub, changed: true, before, record: next, groups };
  }
  throw new DependencyUnavailableError('dynamodb', `entitlement write lost ${attempts} races in a row for one user`);
}

interface NextRecordInput {
  user: UserContext;
  change: ChangeSource;
  record: WebhookEntitlementRecord | undefined;
  /** The state read with the record, and what `decide` made of it (undefined: no change). */
  state: CustomerState;
  decided: CustomerState | undefined;
  now: Date;
}

/**
 * The record after the change: the stored one (or a new user's initial one) with the policy's entitlement over
 * the decided state. A change that decided nothing keeps the record's last-event marks.
 */
function nextRecord(deps: EntitlementWriterDeps, input: NextRecordInput): WebhookEntitlementRecord {
  const { user, change, record, decided, now } = input;
  const state = decided ?? input.state;
  const base: WebhookEntitlementRecord =
    record ??
    initialEntitlementRecord(
      deps.catalog,
      {
        sub: user.sub,
        cognitoUsername: user.profile?.cognitoUsername,
        email: user.email ?? user.profile?.email,
        stripeCustomerId: user.stripeCustomerId,
      },
      now,
    );
  const subscriptions = resolvedSubscriptions(state, deps.catalog);
  const computed = computeEntitlement(subscriptions, deps.catalog, now, deps.policy, state.billing);
  const beneath = keepRunningNoCardTrial(beneathOf(base), computed, subscriptions, now);
  // An operator's override wins while active; the policy's entitlement is kept beneath it (entitlement-override.ts).
  const override = change.override === undefined ? base.override : (change.override ?? undefined);
  return {
    ...base,
    ...withOverride(beneath, override, deps.catalog, now),
    subscriptions: state.subscriptions,
    billing: state.billing,
    planMemory: state.plans,
    subscriptionIds: Object.keys(state.subscriptions).sort(),
    stripeCustomerId: customerAfter(base.stripeCustomerId ?? user.stripeCustomerId, change, user),
    email: base.email ?? user.email ?? user.profile?.email,
    cognitoUsername: base.cognitoUsername ?? user.profile?.cognitoUsername,
    cognitoGroups: base.cognitoGroups ?? [],
    // One trial per identity: a Stripe trial seen once marks the user's trial as used, for good.
    trialUsed: base.trialUsed === true || state.billing.trialGrantedAt !== null,
    lastEventCreated: decided ? Math.max(base.lastEventCreated ?? 0, change.created) : base.lastEventCreated,
    lastEventId: decided ? change.id : base.lastEventId,
  };
}

/**
 * The record's customer after the change: a `customer.deleted` (final in Stripe, whatever its order or how often
 * it is delivered) unlinks the customer it names if the record names it, so the user's next customer (checkout
 * creates one) is not taken for a conflict.
 */
function customerAfter(current: string | undefined, change: ChangeSource, user: UserContext): string | undefined {
  return change.type === 'customer.deleted' && current === user.stripeCustomerId ? undefined : current;
}

/**
 * A price that maps to no plan is a configuration error (operators count these lines: UnmappedPrices) unless the
 * customer's events mapped that very price before (its lookup key moved to a new price: Stripe's documented price
 * change, logged as info). When the subscription's last known plan is kept, the line says so.
 */
function logUnknownPrices(deps: EntitlementWriterDeps, record: WebhookEntitlementRecord, change: ChangeSource): void {
  const state = customerStateOf(record);
  for (const snapshot of resolvedSubscriptions(state, deps.catalog)) {
    if (snapshot.planSource === 'payload' || snapshot.eventId !== change.id) continue;
    const fields = { subscriptionId: snapshot.id, price: snapshot.priceLabel, eventId: change.id };
    if (snapshot.planSource === 'remembered-price') {
      logger.info('subscription price has no plan in the catalog now; its earlier mapping is kept', {
        ...fields,
        keptPlan: snapshot.plan,
      });
    } else if (snapshot.plan === null) {
      logger.error('configuration error: subscription price is not in the plan catalog, it grants nothing', fields);
    } else {
      logger.error('configuration error: subscription price is not in the plan catalog, its last known plan is kept', {
        ...fields,
        keptPlan: snapshot.plan,
      });
    }
  }
}
