import type { EntitlementRecord, EntitlementStatus } from './entitlement';
import type { PlanCatalog } from './plan-catalog';
import type { PlanDefinition, PlanId } from './plan-catalog-schema';
import { currentEntitlement } from './trial';

/**
 * The feature gate's decision: may this user use a feature, or does their plan reach a given plan? Pure: it reads
 * the stored Entitlements record with time applied at read (an ended trial or grace period no longer counts) and
 * the plan catalog. Never token claims, which lag behind until the client refreshes its tokens.
 */

/** What a route needs: one catalog feature, or a plan (or better). */
export type AccessRequirement = { readonly feature: string } | { readonly plan: PlanId };

export interface AccessGranted {
  readonly allowed: true;
  readonly plan: PlanId;
  readonly status: EntitlementStatus;
  readonly features: readonly string[];
}

export interface AccessDenied {
  readonly allowed: false;
  readonly code: 'feature_not_in_plan';
  readonly message: string;
  /** The feature asked for; null when the requirement was a plan. */
  readonly requiredFeature: string | null;
  /** The plan asked for, or the cheapest purchasable plan that grants the feature (null if none sells it). */
  readonly requiredPlan: PlanId | null;
  readonly currentPlan: PlanId;
  readonly status: EntitlementStatus;
}

export type AccessDecision = AccessGranted | AccessDenied;

/** A requirement that names a feature or plan the catalog does not have: a deployment mistake, caught at start. */
export class UnknownRequirementError extends Error {
  override name = 'UnknownRequirementError';
}

/** Thrown by the plain-function form of the gate; the HTTP layer answers it with 403 and the decision's fields. */
export class FeatureNotInPlanError extends Error {
  override name = 'FeatureNotInPlanError';
  readonly code = 'feature_not_in_plan';
  constructor(readonly decision: AccessDenied) {
    super(decision.message);
  }
}

/** A bearer token that does not verify (signature, issuer, expiry, app client): the authorizer denies it. */
export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
}

export function describeRequirement(requirement: AccessRequirement): string {
  return 'feature' in requirement ? `feature "${requirement.feature}"` : `plan "${requirement.plan}"`;
}

/** `feature:<name>` or `plan:<id>`: how a requirement travels in an environment variable (GATE_REQUIREMENT). */
export function requirementToString(requirement: AccessRequirement): string {
  return 'feature' in requirement ? `feature:${requirement.feature}` : `plan:${requirement.plan}`;
}

export function parseRequirement(text: string, catalog: PlanCatalog): AccessRequirement {
  const match = /^(feature|plan):(\S+)$/.exec(text.trim());
  if (!match?.[2]) {
    throw new UnknownRequirementError(`"${text}" is not a requirement (feature:<name> or plan:<id>)`);
  }
  const requirement: AccessRequirement = match[1] === 'feature' ? { feature: match[2] } : { plan: match[2] as PlanId };
  assertKnownRequirement(requirement, catalog);
  return requirement;
}

/** Fails for a feature no plan grants or a plan the catalog lacks (a typo would otherwise deny everyone). */
export function assertKnownRequirement(requirement: AccessRequirement, catalog: PlanCatalog): void {
  if ('feature' in requirement) {
    if (!catalog.plans.some((plan) => plan.features.includes(requirement.feature))) {
      throw new UnknownRequirementError(`No plan in the catalog grants the feature "${requirement.feature}"`);
    }
  } else if (!catalog.hasPlan(requirement.plan)) {
    throw new UnknownRequirementError(`The plan "${requirement.plan}" is not in the catalog`);
  }
}

/** Purchasable plans granting `feature`, cheapest first (the catalog ranks plans by precedence: lower = higher). */
export function plansGranting(feature: string, catalog: PlanCatalog): PlanDefinition[] {
  return catalog
    .paidPlans()
    .filter((plan) => plan.features.includes(feature))
    .sort((a, b) => b.precedence - a.precedence);
}

/**
 * Whether holding `current` counts as having at least `required`: the same plan, a plan ranked above it (lower
 * precedence, as for Cognito groups), or a plan that grants every feature of it (the no-card trial grants pro's).
 */
export function planReaches(current: PlanDefinition, required: PlanDefinition): boolean {
  if (current.id === required.id || current.precedence <= required.precedence) return true;
  return required.features.length > 0 && required.features.every((feature) => current.features.includes(feature));
}

/**
 * The decision for one user. No record (a user this system never provisioned) counts as the free plan; a record
 * that is not entitled now (canceled, unpaid, an ended trial or grace period) counts as the free plan too.
 */
export function decideAccess(
  record: EntitlementRecord | undefined,
  requirement: AccessRequirement,
  catalog: PlanCatalog,
  now: Date,
): AccessDecision {
  const free = catalog.plan('free');
  const entitlement = record ? currentEntitlement(record, catalog, now) : undefined;
  const status: EntitlementStatus = entitlement?.status ?? 'none';
  const entitled = entitlement?.entitled === true && catalog.hasPlan(entitlement.plan);
  const plan = entitled && entitlement ? catalog.plan(entitlement.plan) : free;
  const features = entitled && entitlement ? entitlement.features : free.features;

  if ('feature' in requirement) {
    if (features.includes(requirement.feature)) return granted(plan, status, features);
    const cheapest = plansGranting(requirement.feature, catalog)[0];
    return {
      allowed: false,
      code: 'feature_not_in_plan',
      message:
        `The feature "${requirement.feature}" is not in your plan (${plan.id}).` +
        (cheapest ? ` Upgrade to ${cheapest.id} or higher to use it.` : ''),
      requiredFeature: requirement.feature,
      requiredPlan: cheapest?.id ?? null,
      currentPlan: plan.id,
      status,
    };
  }
  const required = catalog.plan(requirement.plan);
  if (planReaches(plan, required)) return granted(plan, status, features);
  return {
    allowed: false,
    code: 'feature_not_in_plan',
    message: `This needs the ${required.id} plan or higher; your plan is ${plan.id}.`,
    requiredFeature: null,
    requiredPlan: required.id,
    currentPlan: plan.id,
    status,
  };
}

function granted(plan: PlanDefinition, status: EntitlementStatus, features: readonly string[]): AccessGranted {
  return { allowed: true, plan: plan.id, status, features: [...features] };
}
