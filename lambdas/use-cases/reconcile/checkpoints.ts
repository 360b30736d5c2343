import type { ReconcileReport, RepairTotals } from '../../domain/reconcile-report';
import type { ReconcileCheckpoint, ReconcileStateStore } from '../../ports/reconcile-ports';
import { FULL_SCOPE } from './reconcile-options';

/**
 * Checkpoints of a full apply run: saved after every batch, so a run stopped by the Lambda time limit (or
 * `shouldStop`) resumes after its last checked user, under the same run id, and reports the whole run's totals.
 */

/** Counts, repairs and users checked over the whole run, across the invocations its checkpoints chain. */
export type RunTotals = Pick<ReconcileCheckpoint, 'counts' | 'repairs' | 'usersChecked'>;

/** Where the report stood before a batch: what the batch itself added is the difference. */
export interface BatchMark {
  findings: number;
  repairs: RepairTotals;
}

/** The checkpoint a stopped run left, if any: the report takes over its run id and says where it resumed. */
export async function resumeCheckpoint(
  state: ReconcileStateStore,
  report: ReconcileReport,
): Promise<ReconcileCheckpoint | undefined> {
  const checkpoint = await state.getCheckpoint(FULL_SCOPE);
  if (checkpoint) {
    report.runId = checkpoint.runId;
    report.resumedAfter = checkpoint.afterSub;
  }
  return checkpoint;
}

export function totalsFrom(checkpoint: ReconcileCheckpoint | undefined): RunTotals {
  return {
    counts: { ...(checkpoint?.counts ?? {}) },
    repairs: { ...(checkpoint?.repairs ?? { applied: 0, skipped: 0, failed: 0 }) },
    usersChecked: checkpoint?.usersChecked ?? 0,
  };
}

export function markBatch(report: ReconcileReport): BatchMark {
  const { applied, skipped, failed } = report.repairs;
  return { findings: report.findings.length, repairs: { applied, skipped, failed } };
}

/** Adds what the batch since `mark` found and repaired to the run's totals. */
export function addBatch(totals: RunTotals, report: ReconcileReport, mark: BatchMark, users: number): void {
  for (const finding of report.findings.slice(mark.findings))
    totals.counts[finding.kind] = (totals.counts[finding.kind] ?? 0) + 1;
  totals.repairs.applied += report.repairs.applied - mark.repairs.applied;
  totals.repairs.skipped += report.repairs.skipped - mark.repairs.skipped;
  totals.repairs.failed += report.repairs.failed - mark.repairs.failed;
  totals.usersChecked += users;
}

export interface CheckpointAt {
  checkpoint: ReconcileCheckpoint | undefined;
  totals: RunTotals;
  /** The last user checked: the next invocation starts after it. */
  afterSub: string;
  now: Date;
}

export async function saveCheckpoint(
  state: ReconcileStateStore,
  report: ReconcileReport,
  { checkpoint, totals, afterSub, now }: CheckpointAt,
): Promise<void> {
  await state.saveCheckpoint(
    FULL_SCOPE,
    {
      runId: report.runId,
      startedAt: runStartedAt(report, checkpoint),
      afterSub,
      ...totals,
      updatedAt: now.toISOString(),
    },
    now,
  );
}

/** A run stopped early reports the totals so far; its checkpoint stays for the next invocation. */
export function reportStoppedRun(
  report: ReconcileReport,
  checkpoint: ReconcileCheckpoint | undefined,
  totals: RunTotals,
): void {
  report.run = { ...totals, startedAt: runStartedAt(report, checkpoint) };
}

/** A finished run drops its checkpoint; a resumed one reports the whole run's totals. */
export async function closeCheckpoint(
  state: ReconcileStateStore,
  report: ReconcileReport,
  checkpoint: ReconcileCheckpoint | undefined,
  totals: RunTotals,
): Promise<void> {
  await state.clearCheckpoint(FULL_SCOPE);
  if (!checkpoint) return;
  totals.repairs = {
    applied: checkpoint.repairs.applied + report.repairs.applied,
    skipped: checkpoint.repairs.skipped + report.repairs.skipped,
    failed: checkpoint.repairs.failed + report.repairs.failed,
  };
  report.run = { ...totals, startedAt: checkpoint.startedAt };
}

/** The run began with its first invocation, not with this one. */
function runStartedAt(report: ReconcileReport, checkpoint: ReconcileCheckpoint | undefined): string {
  return checkpoint?.startedAt ?? report.startedAt;
}
