import { tokenUserOf } from '../platform/auth';
import { CONTRACTS } from '../platform/contracts';
import { json } from '../platform/http';
import { jwtRoute } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type StatusWithCreditsDeps, statusWithCredits } from '../use-cases/credits/status-with-credits';
import { subscriptionStatusDeps } from '../wiring/frontend';

/**
 * GET /subscription/status: the caller's entitlement from DynamoDB (never from token claims) and credit balance,
 * `no-store`.
 */
export function createSubscriptionStatusHandler(deps: StatusWithCreditsDeps) {
  return jwtRoute(async (event, caller) => {
    const status = await statusWithCredits(deps, tokenUserOf(event, caller));
    return json(200, status, { 'cache-control': 'no-store' });
  });
}

const entry = lambdaEntry(CONTRACTS.subscriptionStatus, (runtime) =>
  createSubscriptionStatusHandler(subscriptionStatusDeps(runtime)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
