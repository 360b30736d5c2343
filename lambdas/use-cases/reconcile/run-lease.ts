import { logger } from '../../platform/logger';
import type { ReconcileStateStore } from '../../ports/reconcile-ports';

/**
 * The lease an apply run holds on its scope: while it is held, another apply run on that scope does nothing (its
 * report says `locked`). The default outlasts the Lambda's 15 min limit, so it does not lapse under a running one.
 */

export const DEFAULT_LEASE_SECONDS = 1200;

export interface RunLease {
  scope: string;
  /** The holder. */
  runId: string;
  at: Date;
  seconds: number;
}

/**
 * Runs `work` holding `lease`, released afterwards whatever happens. No lease (a dry run, which writes nothing):
 * `work` just runs. False, with nothing done, when another run holds the scope.
 */
export async function withRunLease(
  state: ReconcileStateStore,
  lease: RunLease | undefined,
  work: () => Promise<void>,
): Promise<boolean> {
  if (lease && !(await state.acquireLease(lease.scope, lease.runId, lease.at, lease.seconds))) {
    logger.warn('another reconcile run holds the lease; nothing done', { scope: lease.scope });
    return false;
  }
  try {
    await work();
  } finally {
    if (lease) await state.releaseLease(lease.scope, lease.runId);
  }
  return true;
}

/** Extends the lease from `lease.at`: renewing it at every checkpoint keeps a long CLI run from being taken over. */
export async function renewRunLease(state: ReconcileStateStore, lease: RunLease): Promise<void> {
  await state.acquireLease(lease.scope, lease.runId, lease.at, lease.seconds);
}
