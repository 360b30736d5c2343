import { countByKind } from '../../domain/drift';
import type { ReconcileReport, RepairFailure } from '../../domain/reconcile-report';
import { logger } from '../../platform/logger';
import { FULL_SCOPE, type ReconcileOptions } from './reconcile-options';

/** The run's report: how it starts, how failures are recorded in it, how it is closed and summarised. */

export function newReport(runId: string, startedAt: Date, options: ReconcileOptions): ReconcileReport {
  return {
    runId,
    mode: options.apply ? 'apply' : 'dry-run',
    scope: options.user ?? FULL_SCOPE,
    trigger: options.trigger,
    status: 'complete',
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    usersTotal: 0,
    usersChecked: 0,
    counts: countByKind([]),
    findings: [],
    repairs: { applied: 0, skipped: 0, failed: 0, failures: [] },
  };
}

/** Counts the findings and stamps the end. */
export function finishReport(report: ReconcileReport, finishedAt: Date): void {
  // Users are checked concurrently: order the report by user so two reports of the same state read the same.
  report.findings.sort((a, b) => a.sub.localeCompare(b.sub));
  report.counts = countByKind(report.findings);
  report.finishedAt = finishedAt.toISOString();
}

/** The report without the per-user findings (what the state table keeps and metrics show). */
export function summaryOf(report: ReconcileReport): Record<string, unknown> {
  const { findings: _findings, ...rest } = report;
  return { ...rest, repairs: { ...report.repairs, failures: report.repairs.failures.slice(0, 20) } };
}

/** A failed check or repair: counted, kept in the report (the operator's to-do list) and logged. */
export function recordFailure(
  report: ReconcileReport,
  sub: string,
  action: RepairFailure['action'],
  error: unknown,
): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  report.repairs.failed += 1;
  report.repairs.failures.push({ sub, action, error: message });
  logger.error('reconcile repair failed', { sub, action, error: message });
}
