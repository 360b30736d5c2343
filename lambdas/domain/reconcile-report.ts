import type { DriftFinding, DriftKind, RepairAction } from './drift';

/** What started a reconcile run. */
export type ReconcileTrigger = 'schedule' | 'cli' | 'admin';

export interface RepairFailure {
  sub: string;
  action: RepairAction['type'] | 'retry-parked-events' | 'check' | 'settle-audit';
  error: string;
}

export interface RepairTotals {
  applied: number;
  skipped: number;
  failed: number;
}

export interface ReconcileReport {
  runId: string;
  mode: 'dry-run' | 'apply';
  scope: string;
  trigger: ReconcileTrigger;
  /** `locked`: another apply run holds the lease, nothing was done. `partial`: stopped early (see nextAfter). */
  status: 'complete' | 'partial' | 'locked';
  startedAt: string;
  finishedAt: string;
  resumedAfter?: string;
  nextAfter?: string;
  usersTotal: number;
  usersChecked: number;
  counts: Record<DriftKind, number>;
  findings: DriftFinding[];
  repairs: RepairTotals & { failures: RepairFailure[] };
  /**
   * Users whose planned recompute found, at repair time, a record already newer than this run's Stripe listing (a
   * webhook landed during the run): nothing was written, counted as skipped, not as a repair.
   */
  changedDuringRun?: string[];
  /** Totals of the whole run across resumed invocations (apply runs with a checkpoint). */
  run?: { counts: Record<string, number>; repairs: RepairTotals; usersChecked: number; startedAt: string };
}
