import { type AccountDeletionSettings, policyFor } from '../domain/account-deletion';
import type { Clock } from '../domain/clock';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, httpError, json } from '../platform/http';
import { jwtRoute } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { RECENT_SIGN_IN_SECONDS, signedInRecently } from '../platform/recent-sign-in';
import { type DeleteAccountDeps, deleteAccount } from '../use-cases/identity/delete-account';
import { deleteAccountRouteDeps } from '../wiring/account';

export interface DeleteAccountHandlerDeps {
  deletion: DeleteAccountDeps;
  settings: AccountDeletionSettings;
  /** Wall-clock time for the sign-in age (`auth_time` is wall time, like every token claim). */
  wallClock: Clock;
}

/**
 * DELETE /account: the caller's own account, after a recent sign-in (403 `reauthentication_required` otherwise).
 * Idempotent and resumable: a repeated request answers the same 200; a failure part-way answers 503 and the retry
 * (or reconcile) finishes what is left.
 */
export function createDeleteAccountHandler(deps: DeleteAccountHandlerDeps) {
  return jwtRoute(async (event, caller): Promise<HttpResult> => {
    if (!signedInRecently(event, deps.wallClock.now())) {
      return httpError(
        403,
        'reauthentication_required',
        `Sign in again (within the last ${RECENT_SIGN_IN_SECONDS / 60} minutes) to delete your account.`,
      );
    }
    const outcome = await deleteAccount(deps.deletion, {
      sub: caller.sub,
      ...(caller.username ? { username: caller.username } : {}),
      ...(caller.email ? { email: caller.email } : {}),
      trigger: 'user',
      policy: policyFor(deps.settings, 'user'),
    });
    if (outcome.kind === 'nothing') throw new Error('a user-triggered deletion always leaves a tombstone');
    const { deletedAt, subscriptions, customer } = outcome.tombstone;
    return json(200, { deleted: true, deletedAt, subscriptions, customer });
  });
}

const entry = lambdaEntry(CONTRACTS.deleteAccount, (runtime, env) =>
  createDeleteAccountHandler(deleteAccountRouteDeps(runtime, env)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
