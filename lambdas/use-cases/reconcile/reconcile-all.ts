import { parkedEventFindings } from '../../domain/drift';
import type { ReconcileReport } from '../../domain/reconcile-report';
import { checkUser, driftContext } from './check-user';
import {
  addBatch,
  closeCheckpoint,
  markBatch,
  reportStoppedRun,
  resumeCheckpoint,
  saveCheckpoint,
  totalsFrom,
} from './checkpoints';
import { forEachLimited } from './for-each-limited';
import { indexBySub, readEverySide } from './read-all';
import { FULL_SCOPE, type ReconcileDeps, type ReconcileOptions } from './reconcile-options';
import { retryParked } from './repairs';
import { renewRunLease } from './run-lease';

/**
 * A run over every user: bulk reads, then users in sorted batches (checked concurrently within a batch), each
 * batch checkpointed in apply mode, then parked events. Stops between batches when `shouldStop` says so.
 */
export async function reconcileAll(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  report: ReconcileReport,
  leaseSeconds: number,
): Promise<void> {
  const checkpoint = options.apply ? await resumeCheckpoint(deps.state, report) : undefined;
  const after = checkpoint?.afterSub ?? options.after;
  const sides = await readEverySide(deps);
  const ctx = driftContext(deps, report.runId, sides.listedAt);
  const users = indexBySub(sides);
  const todo = after ? users.subs.filter((sub) => sub > after) : users.subs;
  report.usersTotal = users.subs.length;

  const batchSize = deps.batchSize ?? 250;
  const totals = totalsFrom(checkpoint);
  for (let start = 0; start < todo.length; start += batchSize) {
    if (options.shouldStop?.()) {
      report.status = 'partial';
      report.nextAfter = todo[start - 1] ?? after;
      break;
    }
    const batch = todo.slice(start, start + batchSize);
    const mark = markBatch(report);
    await forEachLimited(batch, deps.concurrency ?? 8, async (sub) => {
      const { snapshot, raw } = users.snapshotOf(sub);
      await checkUser(deps, options, ctx, snapshot, raw, report);
    });
    report.usersChecked += batch.length;
    options.onProgress?.({ checked: report.usersChecked, total: todo.length });
    if (options.apply) {
      addBatch(totals, report, mark, batch.length);
      const now = deps.clock.now();
      await saveCheckpoint(deps.state, report, { checkpoint, totals, afterSub: batch.at(-1) ?? '', now });
      await renewRunLease(deps.state, { scope: FULL_SCOPE, runId: report.runId, at: now, seconds: leaseSeconds });
    }
  }
  if (report.status === 'partial') {
    if (options.apply) reportStoppedRun(report, checkpoint, totals);
    return;
  }

  // Parked events last: the links made above are what lets them resolve now.
  const parkedFindings = parkedEventFindings(sides.parked);
  report.findings.push(...parkedFindings);
  if (options.apply && parkedFindings.length > 0) {
    await retryParked(report, '*', () => deps.parked.all());
    totals.counts['parked-events'] = (totals.counts['parked-events'] ?? 0) + parkedFindings.length;
  }
  if (options.apply) await closeCheckpoint(deps.state, report, checkpoint, totals);
}
