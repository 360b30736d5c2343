import { CognitoTokenVerifier, cognitoIssuer } from '../adapters/cognito/cognito-token-verifier';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { parseRequirement } from '../domain/feature-gate';
import * as z from '../domain/zod-mini';
import { parseEnv } from '../platform/config';
import type { CONTRACTS } from '../platform/contracts';
import type { Runtime } from '../platform/runtime';
import type { AuthorizerDeps } from '../use-cases/gate/authorize-request';
import { createFeatureGate } from '../use-cases/gate/feature-gate';

const nonEmpty = z.string().check(z.trim(), z.minLength(1));

/**
 * The authorizer's own variables (its contract's `variables`), plus where tokens come from. In AWS the issuer is the
 * pool's `https://cognito-idp.<region>.amazonaws.com/<pool>`; the local stack names cognito-local's with
 * COGNITO_ISSUER (shipped bundles) or COGNITO_ENDPOINT (source mode).
 */
const authorizerEnvSchema = z.object({
  AWS_REGION: z._default(nonEmpty, 'us-east-1'),
  USER_POOL_ID: nonEmpty,
  USER_POOL_CLIENT_ID: nonEmpty,
  GATE_REQUIREMENT: nonEmpty,
  COGNITO_ISSUER: z.optional(z.url()),
  COGNITO_ENDPOINT: z.optional(z.url()),
});

export function authorizerDeps(
  runtime: Runtime<typeof CONTRACTS.entitlementsAuthorizer>,
  env: NodeJS.ProcessEnv,
): AuthorizerDeps {
  const config = parseEnv(authorizerEnvSchema, env);
  const issuer =
    config.COGNITO_ISSUER ??
    (config.COGNITO_ENDPOINT
      ? `${config.COGNITO_ENDPOINT.replace(/\/$/, '')}/${config.USER_POOL_ID}`
      : cognitoIssuer(config.AWS_REGION, config.USER_POOL_ID));
  return {
    tokens: new CognitoTokenVerifier(issuer, config.USER_POOL_CLIENT_ID),
    // API Gateway caches the authorizer's answers (the staleness bound is its TTL): no second cache in here.
    gate: createFeatureGate({
      entitlements: new DynamoEntitlementStore(runtime.ddb, runtime.tables.ENTITLEMENTS_TABLE),
      catalog: runtime.catalog,
      clock: runtime.clock,
      cache: { ttlMs: 0 },
    }),
    requirement: parseRequirement(config.GATE_REQUIREMENT, runtime.catalog),
  };
}
