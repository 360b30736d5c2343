import { CodedInvalidInputError } from './coded-errors';
import type { EntitlementOverride } from './entitlement';
import type { PlanCatalog } from './plan-catalog';

/**
 * The rules of an operator's grant, on input already shaped by the route's schema: a plan from the catalog, an end
 * date in the future (or none: until revoked), a reason. A violation is a 400 with its own code and nothing is
 * written. Pure: now is a parameter.
 */

export const MAX_OVERRIDE_REASON_LENGTH = 500;

export interface OverrideGrantInput {
  plan: string;
  endsAt?: string | null;
  reason?: string;
}

export interface OverrideOperator {
  sub: string;
  email?: string;
}

export function overrideOf(
  input: OverrideGrantInput,
  operator: OverrideOperator,
  catalog: PlanCatalog,
  now: Date,
): EntitlementOverride {
  const reason = input.reason?.trim() ?? '';
  if (reason === '') throw new CodedInvalidInputError('reason_required', 'reason: say why the override is granted');
  if (reason.length > MAX_OVERRIDE_REASON_LENGTH) {
    throw new CodedInvalidInputError('invalid_request', `reason: at most ${MAX_OVERRIDE_REASON_LENGTH} characters`);
  }
  if (!catalog.hasPlan(input.plan)) {
    const known = catalog.plans.map((plan) => plan.id).join(', ');
    throw new CodedInvalidInputError('unknown_plan', `plan: "${input.plan}" is not in the catalog (${known})`);
  }
  const endsAtMs = input.endsAt ? Date.parse(input.endsAt) : null;
  if (endsAtMs !== null && !(endsAtMs > now.getTime())) {
    throw new CodedInvalidInputError('end_date_in_past', `endsAt: ${input.endsAt} is not in the future`);
  }
  return {
    plan: input.plan,
    endsAt: endsAtMs === null ? null : new Date(endsAtMs).toISOString(),
    reason,
    operator: { sub: operator.sub, ...(operator.email ? { email: operator.email } : {}) },
    grantedAt: now.toISOString(),
  };
}
