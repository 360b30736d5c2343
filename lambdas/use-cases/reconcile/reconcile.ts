import { randomUUID } from 'node:crypto';
import type { ReconcileReport } from '../../domain/reconcile-report';
import { reconcileAll } from './reconcile-all';
import { reconcileOne } from './reconcile-one';
import { FULL_SCOPE, type ReconcileDeps, type ReconcileOptions } from './reconcile-options';
import { finishReport, newReport, summaryOf } from './report';
import { DEFAULT_LEASE_SECONDS, withRunLease } from './run-lease';

export type { ReconcileReport, RepairFailure, RepairTotals } from '../../domain/reconcile-report';
export type { ReconcileMetrics } from '../../ports/reconcile-ports';
export { forEachLimited } from './for-each-limited';
export type { ReconcileDeps, ReconcileOptions } from './reconcile-options';
export { summaryOf } from './report';

/**
 * The one reconcile use case behind the schedule, the CLI and the admin routes: read every side in bulk, plan
 * each user with the pure drift rules (lambdas/domain/drift.ts), and in apply mode execute that same plan with the
 * code the triggers and the webhook use (provisionUser, recomputeEntitlementFromStripe, syncCognitoGroups,
 * parked-event retries). Apply runs hold a lease (two at once do no harm) and checkpoint every batch, so a run
 * stopped by the Lambda time limit resumes where it stopped.
 *
 * The steps live next to this file: reconcile-all.ts and reconcile-one.ts (the two scopes), read-all.ts (bulk
 * reads), check-user.ts (plan one user), repairs.ts (execute a plan), checkpoints.ts, run-lease.ts, report.ts.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconcileReport> {
  const runId = deps.newRunId?.() ?? randomUUID();
  const startedAt = deps.clock.now();
  const report = newReport(runId, startedAt, options);
  const leaseSeconds = deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const scope = options.user ? `user#${options.user}` : FULL_SCOPE;
  const lease = options.apply ? { scope, runId, at: startedAt, seconds: leaseSeconds } : undefined;
  const ran = await withRunLease(deps.state, lease, async () => {
    if (options.user) await reconcileOne(deps, options, options.user, report);
    else await reconcileAll(deps, options, report, leaseSeconds);
  });
  if (!ran) {
    report.status = 'locked';
    return report;
  }
  finishReport(report, deps.clock.now());
  deps.metrics?.publish(report);
  if (options.apply && report.status === 'complete' && !options.user) {
    await deps.state.saveLastRun(summaryOf(report), deps.clock.now());
  }
  return report;
}
