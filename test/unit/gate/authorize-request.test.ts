import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { type AccessDecision, parseRequirement, TokenRejectedError } from '../../../lambdas/domain/feature-gate';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { TokenVerifier } from '../../../lambdas/ports/gate-ports';
import { authorizeRequest } from '../../../lambdas/use-cases/gate/authorize-request';

const catalog = PlanCatalog.defaults();

const tokens: TokenVerifier = {
  async verify(token) {
    if (token === 'expired') throw new TokenRejectedError('Token expired at 1700000000');
    if (token === 'keys-down') throw new DependencyUnavailableError('cognito', 'cognito JWKS fetch failed');
    return { sub: token, tokenUse: 'id', email: `${token}@example.com`, groups: [], expiresAt: 2_000_000_000 };
  },
};
const decisions: Record<string, AccessDecision> = {
  pro: { allowed: true, plan: 'pro', status: 'active', features: ['scheduled-backups', 'multiple-sources'] },
  free: {
    allowed: false,
    code: 'feature_not_in_plan',
    message: 'no',
    requiredFeature: 'scheduled-backups',
    requiredPlan: 'pro',
    currentPlan: 'free',
    status: 'none',
  },
};
const gate = {
  async check(sub: string) {
    const decision = decisions[sub];
    if (!decision) throw new DependencyUnavailableError('dynamodb', 'entitlement read failed');
    return decision;
  },
};
const deps = { tokens, gate, requirement: { feature: 'scheduled-backups' } };

describe('authorizeRequest (entitlements authorizer)', () => {
  it('authorizes a verified caller whose plan grants the feature, passing who and what as string context', async () => {
    // Act
    const answer = await authorizeRequest(deps, 'Bearer pro');

    // Assess
    expect(answer).toEqual({
      isAuthorized: true,
      context: {
        sub: 'pro',
        email: 'pro@example.com',
        requirement: 'feature:scheduled-backups',
        plan: 'pro',
        status: 'active',
        features: 'scheduled-backups,multiple-sources',
      },
    });
  });

  it.each([
    ['no bearer scheme', 'Basic abc', 'no_bearer_token'],
    ['a rejected token', 'Bearer expired', 'token_rejected'],
    ['a plan without the feature', 'Bearer free', 'feature_not_in_plan'],
  ])('denies %s (a verdict API Gateway may cache)', async (_case, authorization, reason) => {
    // Act
    const answer = await authorizeRequest(deps, authorization);

    // Assess
    expect(answer.isAuthorized).toBe(false);
    expect(answer.context.reason).toBe(reason);
  });

  it('throws when it cannot decide (keys or record unreadable): a 500 that API Gateway does not cache', async () => {
    // Act / Assess
    await expect(authorizeRequest(deps, 'Bearer keys-down')).rejects.toThrow(DependencyUnavailableError);
    await expect(authorizeRequest(deps, 'Bearer someone')).rejects.toThrow('entitlement read failed');
  });
});

describe('requirements in GATE_REQUIREMENT', () => {
  it('parses feature:<name> and plan:<id>, refusing anything else', () => {
    // Act / Assess
    expect(parseRequirement('feature:scheduled-backups', catalog)).toEqual({ feature: 'scheduled-backups' });
    expect(parseRequirement(' plan:pro ', catalog)).toEqual({ plan: 'pro' });
    expect(() => parseRequirement('pro', catalog)).toThrow('"pro" is not a requirement (feature:<name> or plan:<id>)');
    expect(() => parseRequirement('plan:gold', catalog)).toThrow('The plan "gold" is not in the catalog');
  });
});
