import { logger } from '../../platform/logger';
import { type ReconcileDeps, reconcile, summaryOf } from './reconcile';

export interface ScheduledRunDeps {
  reconcile: () => Promise<ReconcileDeps>;
  /** Stop starting new batches when less than this is left (the batch in flight and the checkpoint must fit). */
  safetyMarginMs?: number;
}

/**
 * The scheduled reconcile: applies repairs. When `remainingMs()` drops under the safety margin it stops between
 * batches with a checkpoint saved; the next scheduled run resumes from it. Repair failures do not fail the run (an
 * async retry would only repeat it): they are counted in metrics, and the CDK alarm watches that count.
 */
export async function scheduledReconcile(deps: ScheduledRunDeps, remainingMs: () => number) {
  const margin = deps.safetyMarginMs ?? 90_000;
  const report = await reconcile(await deps.reconcile(), {
    apply: true,
    trigger: 'schedule',
    shouldStop: () => remainingMs() < margin,
  });
  const summary = summaryOf(report);
  logger.info('reconcile run finished', { summary });
  return summary;
}
