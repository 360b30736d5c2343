import type { SubscriptionStatusResponse } from '../platform/api-schemas';
import type { EntitlementRecord } from './entitlement';
import type { PlanCatalog } from './plan-catalog';
import { currentEntitlement } from './trial';

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
    [...new Set((groups ?? []).filter((group) => catalog.isManagedGroup(group)))].sort().join(',');
  const stored = managed(record.groups);
  return managed(tokenGroups) !== stored && managed(record.cognitoGroups) === stored;
}

export function statusView(
  record: EntitlementRecord,
  tokenGroups: readonly string[],
  catalog: PlanCatalog,
  now: Date,
): SubscriptionStatusResponse {
  const entitlement = currentEntitlement(record, catalog, now);
  return {
    status: entitlement.status,
    plan: entitlement.plan,
    entitled: entitlement.entitled,
    features: [...entitlement.features],
    groups: [...entitlement.groups],
    currentPeriodEnd: entitlement.currentPeriodEnd,
    trialEndsAt: entitlement.trialEndsAt,
    cancelAtPeriodEnd: entitlement.cancelAtPeriodEnd,
    entitlementsVersion: record.entitlementsVersion,
    refreshTokens: needsTokenRefresh(tokenGroups, record, catalog),
  };
}
