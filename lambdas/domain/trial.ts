import { type Entitlement, type EntitlementRecord, evaluateAtRead } from './entitlement';
import { beneathOf, mergeOverride } from './entitlement-override';
import type { PlanCatalog } from './plan-catalog';

/**
 * Pure rules for trials and "already subscribed": one trial per identity (no-card or Stripe), and no second paid
 * subscription by accident. Time is applied at read (evaluateAtRead) before any rule looks at a record.
 */

const PAID_ENTITLED_STATUSES = new Set(['active', 'trialing', 'past_due']);

const DAY_MS = 24 * 60 * 60 * 1000;

/** True when the entitlement (already evaluated at read) is a running paid subscription. */
export function hasEntitledPaidPlan(entitlement: Entitlement, catalog: PlanCatalog): boolean {
  if (!entitlement.entitled || !PAID_ENTITLED_STATUSES.has(entitlement.status)) return false;
  return catalog.paidPlans().some((plan) => plan.id === entitlement.plan);
}

/**
 * The record's entitlement with time applied, for rule checks and reads: an operator's override while it is active,
 * else the entitlement beneath it (which takes over at the override's end date without any write).
 */
export function currentEntitlement(record: EntitlementRecord, catalog: PlanCatalog, now: Date): Entitlement {
  return mergeOverride(evaluateAtRead(beneathOf(record), catalog, now), record.override, catalog, now);
}

/** Days of Stripe trial a checkout may offer: the catalog trial's length, only to a user who never had a trial. */
export function stripeTrialDays(
  record: Pick<EntitlementRecord, 'trialUsed'>,
  catalog: PlanCatalog,
): number | undefined {
  if (record.trialUsed) return undefined;
  return catalog.plan('trial').trialDays;
}

export type TrialRefusal = 'trial_already_used' | 'already_subscribed';

/** Why a no-card trial cannot start for this record now, or undefined when it can. */
export function trialRefusal(record: EntitlementRecord, catalog: PlanCatalog, now: Date): TrialRefusal | undefined {
  if (hasEntitledPaidPlan(currentEntitlement(record, catalog, now), catalog)) return 'already_subscribed';
  if (record.trialUsed) return 'trial_already_used';
  return undefined;
}

/**
 * The record after starting the catalog's no-card trial: trialing on plan `trial` with its features and group,
 * ending `trialDays` from now, and `trialUsed` set for good. Bookkeeping (cognitoGroups, Stripe fields, event
 * ordering) is kept; the version moves on so the conditional write detects a concurrent writer.
 */
export function startTrialRecord(record: EntitlementRecord, catalog: PlanCatalog, now: Date): EntitlementRecord {
  const trial = catalog.plan('trial');
  const days = trial.trialDays ?? 14;
  return {
    ...record,
    status: 'trialing',
    plan: 'trial',
    entitled: true,
    features: [...trial.features],
    groups: [trial.group],
    currentPeriodEnd: null,
    trialEndsAt: new Date(now.getTime() + days * DAY_MS).toISOString(),
    cancelAtPeriodEnd: false,
    cancelAt: null,
    graceEndsAt: null,
    paymentReversal: null,
    trialUsed: true,
    entitlementsVersion: record.entitlementsVersion + 1,
    updatedAt: now.toISOString(),
  };
}
