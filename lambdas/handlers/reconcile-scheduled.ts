import { CONTRACTS } from '../platform/contracts';
import { lambdaEntry } from '../platform/lambda-entry';
import { assertScheduledEvent, requireTimeLimit, type TimeLimitedContext } from '../platform/scheduled-event';
import { type ScheduledRunDeps, scheduledReconcile } from '../use-cases/reconcile/scheduled-run';
import { deployedReconcileDeps } from '../wiring/reconcile';

export type { TimeLimitedContext } from '../platform/scheduled-event';
export type ReconcileScheduledDeps = ScheduledRunDeps;

/** The scheduled reconcile (use-cases/reconcile/scheduled-run.ts), stopping in time for the Lambda's limit. */
export function createReconcileScheduledHandler(deps: ReconcileScheduledDeps) {
  return async (event: unknown, context: TimeLimitedContext) => {
    assertScheduledEvent(event);
    return scheduledReconcile(deps, () => context.getRemainingTimeInMillis());
  };
}

const entry = lambdaEntry(CONTRACTS.reconcileScheduled, (runtime, env) => {
  const handle = createReconcileScheduledHandler({ reconcile: deployedReconcileDeps(runtime, env) });
  return (event: unknown, context?: TimeLimitedContext) =>
    handle(event, requireTimeLimit(context, 'the scheduled reconcile'));
});
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
