import { linkedCustomerId, parkedEventFindings, type UserSnapshot } from '../../domain/drift';
import type { ReconcileReport } from '../../domain/reconcile-report';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import { checkUser, driftContext } from './check-user';
import type { ReconcileDeps, ReconcileOptions } from './reconcile-options';
import { retryParked } from './repairs';

/**
 * A run for one user (the admin route, `--user` in the CLI): only that user's reads, no batches, no checkpoint;
 * the parked events of the customer the user ends with are retried.
 */
export async function reconcileOne(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  sub: string,
  report: ReconcileReport,
): Promise<void> {
  const listedAt = deps.clock.now();
  const [cognito, profile, record] = await Promise.all([
    deps.source.findUser(sub),
    deps.profiles.get(sub),
    deps.entitlements.get(sub) as Promise<WebhookEntitlementRecord | undefined>,
  ]);
  const linkedId = linkedCustomerId({ profile, record });
  const email = profile?.email ?? cognito?.email;
  const [groups, customers, parked] = await Promise.all([
    cognito ? deps.source.groupsOfUser(cognito.username) : Promise.resolve(undefined),
    deps.source.customersForUser({ sub, ...(email ? { email } : {}), ...(linkedId ? { linkedId } : {}) }),
    linkedId ? deps.source.parkedEvents(linkedId) : Promise.resolve([]),
  ]);
  report.usersTotal = cognito || profile || record ? 1 : 0;
  if (report.usersTotal === 0) return;
  const ctx = driftContext(deps, report.runId, listedAt);
  const snapshot: UserSnapshot = {
    sub,
    ...(cognito ? { cognito, cognitoGroups: groups ?? [] } : {}),
    ...(profile ? { profile } : {}),
    ...(record ? { record } : {}),
    customers: [],
  };
  const customerId = await checkUser(deps, options, ctx, snapshot, new Map(customers.map((c) => [c.id, c])), report);
  report.usersChecked = 1;
  const parkedFindings = parkedEventFindings(parked);
  report.findings.push(...parkedFindings);
  const retryFor = customerId ?? linkedId;
  if (options.apply && parkedFindings.length > 0 && retryFor) {
    await retryParked(report, sub, () => deps.parked.forCustomer(retryFor));
  }
}
