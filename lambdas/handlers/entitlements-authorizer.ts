import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { CONTRACTS } from '../platform/contracts';
import { header } from '../platform/http';
import { lambdaEntry } from '../platform/lambda-entry';
import { type AuthorizerAnswer, type AuthorizerDeps, authorizeRequest } from '../use-cases/gate/authorize-request';
import { authorizerDeps } from '../wiring/authorizer';

/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses): `{ isAuthorized, context }`. Verifies the Cognito
 * token and lets the request through only if the caller's Entitlements record satisfies GATE_REQUIREMENT
 * (`feature:<name>` or `plan:<id>`). API Gateway answers a denial with 403 and caches answers per token.
 */
export function createAuthorizerHandler(deps: AuthorizerDeps) {
  return (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerAnswer> =>
    authorizeRequest(deps, header({ headers: event.headers ?? {} }, 'authorization'));
}

const entry = lambdaEntry(CONTRACTS.entitlementsAuthorizer, (runtime, env) =>
  createAuthorizerHandler(authorizerDeps(runtime, env)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
