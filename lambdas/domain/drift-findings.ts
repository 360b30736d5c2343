import type { DeletionTrigger } from './account-deletion';
import type { CognitoUserSnapshot } from './drift-snapshots';
import type { Entitlement } from './entitlement';

/** What drift detection reports and proposes: the kinds of drift, one finding, the repair actions, a user's plan. */

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
  'account-deletion-pending',
  'profile-email-changed',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/**
 * Kinds reconcile never repairs by itself (an operator decides). An orphaned profile and a pending deletion are
 * repaired when the run has the account-deletion settings (every deployed run has), else only reported.
 */
export const REPORT_ONLY_KINDS: ReadonlySet<DriftKind> = new Set([
  'duplicate-stripe-customers',
  'linked-customer-missing',
]);

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
  | { type: 'sync-groups'; username: string; current: string[]; desired: string[]; add: string[]; remove: string[] }
  /** Finish a deletion the user started, or clean up an orphan (lambdas/use-cases/identity/delete-account.ts). */
  | { type: 'delete-account'; trigger: DeletionTrigger };

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
