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
 * see a steady series), repairs applied / failed, users checked. Dimensions: service and stage.
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
    this.metrics.publishStoredMetrics();
  }
}
