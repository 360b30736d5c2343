import type { AuditEntry } from './audit-entry';
import type { BillingState } from './billing-state';
import type { EntitlementRecord } from './entitlement';
import type { PlanMemory } from './plan-mapping';
import type { SubscriptionSnapshot } from './subscription-snapshot';

/** The Entitlements item as the webhook keeps it: the shared record plus the state it recomputes from. */
export type WebhookEntitlementRecord = EntitlementRecord & {
  subscriptions?: Record<string, SubscriptionSnapshot>;
  billing?: BillingState;
  /** What this customer's events taught about prices and plans (plan-mapping.ts). */
  planMemory?: PlanMemory;
  /**
   * Audit entries written in the same conditional write as their change and kept until known to be in the
   * AuditLog (a redelivery or reconcile re-puts them, idempotently). Internal: never part of an API answer.
   */
  pendingAudit?: AuditEntry[];
};
