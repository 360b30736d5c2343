import type { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import { PowertoolsReconcileMetrics } from '../../../../lambdas/adapters/metrics/reconcile-metrics';
import { DRIFT_KINDS } from '../../../../lambdas/domain/drift';
import type { ReconcileReport } from '../../../../lambdas/domain/reconcile-report';
import { RECONCILE_METRICS } from '../../../../lambdas/ports/reconcile-ports';

const BASE_REPORT: ReconcileReport = {
  runId: 'run-1',
  mode: 'apply',
  scope: 'all',
  trigger: 'schedule',
  status: 'complete',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:01:00.000Z',
  usersTotal: 3,
  usersChecked: 3,
  counts: Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as ReconcileReport['counts'],
  findings: [],
  repairs: { applied: 0, skipped: 0, failed: 0, failures: [] },
};

function published(report: ReconcileReport): Record<string, number> {
  const added: Record<string, number> = {};
  const metrics = {
    addMetric: vi.fn((name: string, _unit: string, value: number) => {
      added[name] = value;
    }),
    publishStoredMetrics: vi.fn(),
  };
  new PowertoolsReconcileMetrics('dev', metrics as unknown as Metrics).publish(report);
  if (Object.keys(added).length > 0) expect(metrics.publishStoredMetrics).toHaveBeenCalledOnce();
  return added;
}

describe('reconcile metrics', () => {
  it('a completed scheduled run counts as completed and reports the parked events it found', () => {
    // Prepare
    const report = structuredClone(BASE_REPORT);
    report.counts['parked-events'] = 2;

    // Act
    const added = published(report);

    // Assess
    expect(added[RECONCILE_METRICS.scheduledRunsCompleted]).toBe(1);
    expect(added[RECONCILE_METRICS.parkedEventsAtCompletion]).toBe(2);
    expect(added[RECONCILE_METRICS.repairsFailed]).toBe(0);
  });

  it('a scheduled run stopped early reports 0 completed and no parked count (parked events come last)', () => {
    const report = { ...structuredClone(BASE_REPORT), status: 'partial' as const };

    const added = published(report);

    expect(added[RECONCILE_METRICS.scheduledRunsCompleted]).toBe(0);
    expect(added).not.toHaveProperty(RECONCILE_METRICS.parkedEventsAtCompletion);
  });

  it.each([
    ['an admin run', { trigger: 'admin' as const }],
    ['a CLI run', { trigger: 'cli' as const }],
    ['a dry run', { mode: 'dry-run' as const }],
    ['a one-user run', { scope: 'user-sub' }],
  ])('%s never counts as a scheduled completion (it would hide a stopped schedule)', (_name, change) => {
    const added = published({ ...structuredClone(BASE_REPORT), ...change });

    expect(added).not.toHaveProperty(RECONCILE_METRICS.scheduledRunsCompleted);
    expect(added).not.toHaveProperty(RECONCILE_METRICS.parkedEventsAtCompletion);
    expect(added[RECONCILE_METRICS.repairsFailed]).toBe(0);
  });

  it('a locked run publishes nothing', () => {
    expect(published({ ...structuredClone(BASE_REPORT), status: 'locked' })).toEqual({});
  });
});
