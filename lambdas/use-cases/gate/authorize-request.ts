import { type AccessRequirement, requirementToString, TokenRejectedError } from '../../domain/feature-gate';
import { logger } from '../../platform/logger';
import type { TokenVerifier } from '../../ports/gate-ports';
import type { FeatureGate } from './feature-gate';

/**
 * The entitlements authorizer's decision for one request (HTTP API Lambda authorizer, simple responses): verify the
 * bearer token, then ask the feature gate about its `sub`. API Gateway caches the answer per token for the
 * authorizer's TTL, denials included, so only a verdict is ever returned; a failure to decide (the Entitlements
 * record or the token keys cannot be read) is thrown: API Gateway answers 500 and caches nothing.
 *
 * The context reaches the route's Lambda as `event.requestContext.authorizer.lambda` (strings only, so it reads
 * the same in AWS and locally).
 */

export interface AuthorizerDeps {
  tokens: TokenVerifier;
  gate: Pick<FeatureGate, 'check'>;
  requirement: AccessRequirement;
}

export interface AuthorizerContext {
  [key: string]: string;
  requirement: string;
}

export interface AuthorizerAnswer {
  isAuthorized: boolean;
  context: AuthorizerContext;
}

export async function authorizeRequest(
  deps: AuthorizerDeps,
  authorization: string | undefined,
): Promise<AuthorizerAnswer> {
  const requirement = requirementToString(deps.requirement);
  const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (!token) return { isAuthorized: false, context: { requirement, reason: 'no_bearer_token' } };
  let verified: Awaited<ReturnType<TokenVerifier['verify']>>;
  try {
    verified = await deps.tokens.verify(token);
  } catch (error) {
    if (!(error instanceof TokenRejectedError)) throw error;
    logger.info('Authorizer: token rejected', { reason: error.message, requirement });
    return { isAuthorized: false, context: { requirement, reason: 'token_rejected' } };
  }
  const decision = await deps.gate.check(verified.sub, deps.requirement);
  const caller = {
    sub: verified.sub,
    ...(verified.email ? { email: verified.email } : {}),
    ...(verified.username ? { username: verified.username } : {}),
  };
  if (!decision.allowed) {
    logger.info('Authorizer: plan does not allow the route', {
      sub: verified.sub,
      requirement,
      currentPlan: decision.currentPlan,
    });
    return {
      isAuthorized: false,
      context: { ...caller, requirement, reason: decision.code, plan: decision.currentPlan, status: decision.status },
    };
  }
  return {
    isAuthorized: true,
    context: {
      ...caller,
      requirement,
      plan: decision.plan,
      status: decision.status,
      features: decision.features.join(','),
    },
  };
}
