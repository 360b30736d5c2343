import { z } from 'zod';
import { InvalidInputError } from '../domain/errors';
import { CONTRACTS } from '../platform/contracts';
import { lambdaEntry } from '../platform/lambda-entry';
import { logger } from '../platform/logger';
import { type ReconcileDeps, reconcile, summaryOf } from '../use-cases/reconcile/reconcile';
import { deployedReconcileDeps } from '../wiring/reconcile';

/** The part of the Lambda context this handler uses. */
export interface TimeLimitedContext {
  getRemainingTimeInMillis(): number;
}

/** EventBridge Scheduler / rule payload: nothing in it is needed, but it must look like a schedule event. */
const scheduledEventSchema = z.union([z.looseObject({ source: z.string().optional() }), z.null(), z.undefined()]);

export interface ReconcileScheduledDeps {
  reconcile: () => Promise<ReconcileDeps>;
  /** Stop starting new batches when less than this is left (the batch in flight and the checkpoint must fit). */
  safetyMarginMs?: number;
}

/**
 * The scheduled reconcile: applies repairs. Near the Lambda time limit it stops between batches with a
 * checkpoint saved; the next scheduled run resumes from it. Repair failures do not fail the invocation (an
 * async retry would only repeat the run): they are counted in metrics, and the CDK alarm watches that count.
 */
export function createReconcileScheduledHandler(deps: ReconcileScheduledDeps) {
  return async (event: unknown, context: TimeLimitedContext) => {
    if (!scheduledEventSchema.safeParse(event).success) throw new InvalidInputError('not a scheduled event');
    const margin = deps.safetyMarginMs ?? 90_000;
    const report = await reconcile(await deps.reconcile(), {
      apply: true,
      trigger: 'schedule',
      shouldStop: () => context.getRemainingTimeInMillis() < margin,
    });
    const summary = summaryOf(report);
    logger.info('reconcile run finished', { summary });
    return summary;
  };
}

const entry = lambdaEntry(CONTRACTS.reconcileScheduled, (runtime, env) => {
  const handle = createReconcileScheduledHandler({ reconcile: deployedReconcileDeps(runtime, env) });
  return (event: unknown, context?: TimeLimitedContext) => {
    if (!context) throw new InvalidInputError('the scheduled reconcile needs the Lambda context (its time limit)');
    return handle(event, context);
  };
});
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
