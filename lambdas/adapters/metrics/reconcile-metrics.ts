import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DRIFT_KINDS } from '../../domain/drift';
import type { ReconcileReport } from '../../domain/reconcile-report';
import { RECONCILE_METRICS, type ReconcileMetrics } from '../../ports/reconcile-ports';

/** `missing-profile` -> `DriftMissingProfile`. */
export function driftMetricName(kind: string): string {
  return `Drift${kind.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase())}`;
}

/**
 * Publishes a run as Powertools (EMF) metrics: one count per drift kind (zeros included, so dashboards and alarms
 * see a steady series), repairs applied / failed, users checked, and for scheduled runs whether the run completed
 * and how many parked events it found. Dimensions: service and stage.
 */
export class PowertoolsReconcileMetrics implements ReconcileMetrics {
  private readonly metrics: Metrics;

  constructor(stage: string, metrics?: Metrics) {
    this.metrics =
      metrics ??
      new Metrics({
        namespace: RECONCILE_METRICS.namespace,
        serviceName: RECONCILE_METRICS.service,
        defaultDimensions: { stage },
      });
  }

  publish(report: ReconcileReport): void {
    if (report.status === 'locked') return;
    for (const kind of DRIFT_KINDS)
      this.metrics.addMetric(driftMetricName(kind), MetricUnit.Count, report.counts[kind]);
    this.metrics.addMetric('ReconcileRepairsApplied', MetricUnit.Count, report.repairs.applied);
    this.metrics.addMetric(RECONCILE_METRICS.repairsFailed, MetricUnit.Count, report.repairs.failed);
    this.metrics.addMetric('ReconcileUsersChecked', MetricUnit.Count, report.usersChecked);
    // Only the schedule's full apply runs say "reconcile keeps up": admin and CLI runs would hide a stopped schedule.
    if (report.trigger === 'schedule' && report.mode === 'apply' && report.scope === 'all') {
      const completed = report.status === 'complete';
      this.metrics.addMetric(RECONCILE_METRICS.scheduledRunsCompleted, MetricUnit.Count, completed ? 1 : 0);
      // A partial run has not looked at parked events yet (they come last): no value rather than a false 0.
      if (completed) {
        this.metrics.addMetric(
          RECONCILE_METRICS.parkedEventsAtCompletion,
          MetricUnit.Count,
          report.counts['parked-events'],
        );
      }
    }
    this.metrics.publishStoredMetrics();
  }
}
