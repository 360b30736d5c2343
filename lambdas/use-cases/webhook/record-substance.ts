import { entitlementOf } from '../../domain/entitlement';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';

/** Comparing records by substance, so an unchanged result is never rewritten (nor audited) again. */

/** Key-order-independent JSON, to compare a record read back from DynamoDB with a computed one. */
export function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The fields a write is about (not the version, write time, applied groups or pending audit). */
export function meaningful(record: WebhookEntitlementRecord) {
  return {
    ...entitlementOf(record),
    subscriptions: record.subscriptions ?? {},
    billing: record.billing ?? null,
    planMemory: record.planMemory ?? null,
    trialUsed: record.trialUsed === true,
    override: record.override ?? null,
    beneath: record.beneath ?? null,
    stripeCustomerId: record.stripeCustomerId ?? null,
    email: record.email ?? null,
    cognitoUsername: record.cognitoUsername ?? null,
    lastEventCreated: record.lastEventCreated,
  };
}
