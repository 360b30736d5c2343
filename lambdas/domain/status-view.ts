import type { EntitlementRecord, SubscriptionStatus } from './entitlement';
import { type EntitlementSource, sourceOf } from './entitlement-override';
import { managedGroupsOf } from './groups';
import type { PlanCatalog } from './plan-catalog';
import { currentEntitlement } from './trial';

/** What GET /subscription/status answers (platform/api-schemas.ts holds the matching zod schema for the API). */
export interface SubscriptionStatusView {
  status: 'none' | 'expired' | 'revoked' | SubscriptionStatus;
  /** Why access was revoked (status `revoked`): the current period's payment was refunded or lost in a dispute. */
  revokedReason: 'refund' | 'dispute' | null;
  plan: string;
  entitled: boolean;
  features: string[];
  groups: string[];
  currentPeriodEnd: string | null;
  trialEndsAt: string | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: string | null;
  /** Where the entitlement comes from: an operator's override, Stripe, the no-card trial, or nothing (free). */
  source: EntitlementSource;
  /** With source `override`: when it ends (null: until revoked); else null. */
  overrideEndsAt: string | null;
  entitlementsVersion: number;
  refreshTokens: boolean;
}

/** The status the frontend reads, built from the stored record with time applied at read. Pure module. */

/**
 * Whether the client should refresh its tokens: the managed groups in its token differ from the record's groups,
 * AND Cognito has confirmed those groups (`cognitoGroups`). While a group change is still pending in Cognito a
 * refresh would return the same groups, so answering true then would only make the client refresh in a loop.
 */
export function needsTokenRefresh(
  tokenGroups: readonly string[],
  record: Pick<EntitlementRecord, 'groups' | 'cognitoGroups'>,
  catalog: PlanCatalog,
): boolean {
  const managed = (groups: readonly string[] | undefined) =>
    [...new Set(managedGroupsOf(groups, catalog))].sort().join(',');
  const stored = managed(record.groups);
  return managed(tokenGroups) !== stored && managed(record.cognitoGroups) === stored;
}

export function statusView(
  record: EntitlementRecord,
  tokenGroups: readonly string[],
  catalog: PlanCatalog,
  now: Date,
): SubscriptionStatusView {
  const entitlement = currentEntitlement(record, catalog, now);
  const source = sourceOf(entitlement, record, now);
  return {
    status: entitlement.status,
    revokedReason:
      entitlement.status === 'revoked' && entitlement.paymentReversal?.action === 'revoked'
        ? entitlement.paymentReversal.reason
        : null,
    plan: entitlement.plan,
    entitled: entitlement.entitled,
    features: [...entitlement.features],
    groups: [...entitlement.groups],
    currentPeriodEnd: entitlement.currentPeriodEnd,
    trialEndsAt: entitlement.trialEndsAt,
    cancelAtPeriodEnd: entitlement.cancelAtPeriodEnd,
    cancelAt: entitlement.cancelAt ?? (entitlement.cancelAtPeriodEnd ? entitlement.currentPeriodEnd : null),
    source,
    overrideEndsAt: source === 'override' ? (record.override?.endsAt ?? null) : null,
    entitlementsVersion: record.entitlementsVersion,
    refreshTokens: needsTokenRefresh(tokenGroups, record, catalog),
  };
}
