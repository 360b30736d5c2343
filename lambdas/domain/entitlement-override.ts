import { type Entitlement, type EntitlementOverride, type EntitlementRecord, entitlementOf } from './entitlement';
import type { PlanCatalog } from './plan-catalog';

/**
 * Operator overrides: a plan granted by hand (a comped account, a partner, a support gesture), optionally until an
 * end date, with a reason and the operator who granted it. Stored on the Entitlements record next to the state the
 * policy computes from Stripe (and the no-card trial), which is kept underneath (`beneath`) and takes over when the
 * override ends or is revoked. Pure: no clock (now is a parameter).
 */

/** Where the entitlement shown comes from. */
export type EntitlementSource = 'override' | 'stripe' | 'trial' | 'free';

/** True while the override applies: granted, and its end date (if any) not reached. */
export function overrideActive(override: EntitlementOverride | undefined, now: Date): boolean {
  return override !== undefined && (override.endsAt === null || Date.parse(override.endsAt) > now.getTime());
}

/** What an override grants: its plan, active, with no Stripe dates (its end is `overrideEndsAt` in the status). */
export function overrideEntitlement(override: EntitlementOverride, catalog: PlanCatalog): Entitlement {
  const plan = catalog.plan(override.plan);
  return {
    status: 'active',
    plan: plan.id,
    entitled: plan.id !== 'free',
    features: [...plan.features],
    groups: [plan.group],
    currentPeriodEnd: null,
    trialEndsAt: null,
    cancelAtPeriodEnd: false,
    cancelAt: null,
    graceEndsAt: null,
    paymentReversal: null,
  };
}

/**
 * The merge, the one place it happens (write path, reconcile's expectation and reads all call it): an active
 * override wins; otherwise the entitlement beneath it stands, unchanged.
 */
export function mergeOverride(
  beneath: Entitlement,
  override: EntitlementOverride | undefined,
  catalog: PlanCatalog,
  now: Date,
): Entitlement {
  return override && overrideActive(override, now) ? overrideEntitlement(override, catalog) : beneath;
}

/**
 * The record's fields after a write: the merged entitlement, the override while it is active (an ended one is
 * dropped: the audit trail keeps its history) and the entitlement beneath it.
 */
export function withOverride(
  beneath: Entitlement,
  override: EntitlementOverride | undefined,
  catalog: PlanCatalog,
  now: Date,
): Entitlement & { override: EntitlementOverride | undefined; beneath: Entitlement | undefined } {
  const live = overrideActive(override, now) ? override : undefined;
  return { ...mergeOverride(beneath, live, catalog, now), override: live, beneath: live ? beneath : undefined };
}

/** The entitlement under any override, as stored (records without an override: the record's own). */
export function beneathOf(record: Entitlement & Pick<EntitlementRecord, 'override' | 'beneath'>): Entitlement {
  return record.override && record.beneath ? record.beneath : entitlementOf(record);
}

/** Where an entitlement (already merged and evaluated at read) comes from. */
export function sourceOf(
  entitlement: Entitlement,
  record: Pick<EntitlementRecord, 'override'>,
  now: Date,
): EntitlementSource {
  if (overrideActive(record.override, now)) return 'override';
  if (entitlement.entitled && entitlement.plan === 'trial') return 'trial';
  return entitlement.entitled ? 'stripe' : 'free';
}
