import type { ReconcileReport } from '../../domain/reconcile-report';

/** Findings in one response; the CLI shows them all. */
export const MAX_FINDINGS_IN_RESPONSE = 500;

/** A report as the admin routes answer it: findings capped, and how to continue a run that stopped early. */
export function forResponse(report: ReconcileReport) {
  const truncated = report.findings.length > MAX_FINDINGS_IN_RESPONSE;
  return {
    ...report,
    findings: report.findings.slice(0, MAX_FINDINGS_IN_RESPONSE),
    ...(truncated ? { findingsTruncated: report.findings.length } : {}),
    ...(report.status === 'partial'
      ? {
          continue:
            report.mode === 'apply'
              ? 'the run stopped at its time budget and saved a checkpoint: POST again to continue'
              : `the dry run stopped at its time budget: GET again with ?after=${report.nextAfter ?? ''}`,
        }
      : {}),
  };
}
