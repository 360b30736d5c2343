import { startTrialRequestSchema } from '../platform/api-schemas';
import { CONTRACTS } from '../platform/contracts';
import { json } from '../platform/http';
import { jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type StartTrialDeps, startTrial } from '../use-cases/entitlement/start-trial';
import { startTrialDeps } from '../wiring/frontend';

/** POST /subscription/trial: starts the no-card trial once; answers the new status (201) or 409. */
export function createStartTrialHandler(deps: StartTrialDeps) {
  return jwtRoute(async (event, caller) => {
    parseBody(event, startTrialRequestSchema);
    const status = await startTrial(deps, {
      sub: caller.sub,
      ...(caller.username ? { username: caller.username } : {}),
      ...(caller.email ? { email: caller.email } : {}),
      groups: caller.groups,
    });
    return json(201, status);
  });
}

const entry = lambdaEntry(CONTRACTS.startTrial, (runtime) => createStartTrialHandler(startTrialDeps(runtime)));
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
