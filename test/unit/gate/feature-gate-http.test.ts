import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { type AccessDecision, FeatureNotInPlanError } from '../../../lambdas/domain/feature-gate';
import { gateMiddleware, verifiedSubOf, withGates } from '../../../lambdas/platform/feature-gate-http';
import { json } from '../../../lambdas/platform/http';
import { errorResponse } from '../../../lambdas/platform/http-handler';
import { useLogCapture } from '../../support/logs';

const DENIED: AccessDecision = {
  allowed: false,
  code: 'feature_not_in_plan',
  message: 'The feature "scheduled-backups" is not in your plan (free). Upgrade to pro or higher to use it.',
  requiredFeature: 'scheduled-backups',
  requiredPlan: 'pro',
  currentPlan: 'free',
  status: 'none',
};
const ALLOWED: AccessDecision = { allowed: true, plan: 'pro', status: 'active', features: ['scheduled-backups'] };

function jwtEvent(sub?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /reports',
    rawPath: '/reports',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      ...(sub ? { authorizer: { jwt: { claims: { sub }, scopes: null } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

const decisions: Record<string, AccessDecision> = { 'pro-user': ALLOWED, 'free-user': DENIED };
const check = async (sub: string) => {
  const decision = decisions[sub];
  if (!decision) throw new DependencyUnavailableError('dynamodb', 'entitlement read failed (timeout)');
  return decision;
};
const handler = async () => json(200, { reports: [] });

describe('gate middleware as a plain function', () => {
  it('returns undefined for an allowed caller and the 403 body for a denied one', async () => {
    // Prepare
    const gate = gateMiddleware(
      check,
      { feature: 'scheduled-backups' },
      { upgradeUrl: 'https://app.example.com/pricing' },
    );

    // Act
    const allowed = await gate(jwtEvent('pro-user'));
    const denied = await gate(jwtEvent('free-user'));

    // Assess
    expect(allowed).toBeUndefined();
    expect(denied?.statusCode).toBe(403);
    expect(JSON.parse(denied?.body ?? '')).toEqual({
      error: {
        code: 'feature_not_in_plan',
        message: 'The feature "scheduled-backups" is not in your plan (free). Upgrade to pro or higher to use it.',
        requiredFeature: 'scheduled-backups',
        requiredPlan: 'pro',
        currentPlan: 'free',
        upgradeUrl: 'https://app.example.com/pricing',
      },
    });
  });

  it('answers 401 without a verified sub and 503 when the record cannot be read (fail closed)', async () => {
    // Prepare
    const gate = gateMiddleware(check, { plan: 'pro' });
    const logs = useLogCapture();

    // Act
    const anonymous = await gate(jwtEvent());
    const unreadable = await gate(jwtEvent('someone-else'));

    // Assess
    expect(anonymous?.statusCode).toBe(401);
    expect(unreadable?.statusCode).toBe(503);
    expect(unreadable?.headers['retry-after']).toBe('2');
    expect(logs.warnings()).toEqual(['Dependency unavailable']);
  });

  it('withGates runs the handler only when every gate lets the caller through', async () => {
    // Prepare
    const wrapped = withGates([gateMiddleware(check, { feature: 'scheduled-backups' })], handler);

    // Act
    const allowed = await wrapped(jwtEvent('pro-user'));
    const denied = await wrapped(jwtEvent('free-user'));

    // Assess
    expect(allowed.statusCode).toBe(200);
    expect(denied.statusCode).toBe(403);
  });
});

describe('gate middleware in Middy', () => {
  it('ends the request early with the 403 and lets allowed callers reach the handler', async () => {
    // Prepare
    let calls = 0;
    const wrapped = middy<APIGatewayProxyEventV2>()
      .use(gateMiddleware(check, { feature: 'scheduled-backups' }))
      .handler(async () => {
        calls += 1;
        return json(200, { reports: [] });
      });

    // Act
    const allowed = await wrapped(jwtEvent('pro-user'), {} as never);
    const denied = await wrapped(jwtEvent('free-user'), {} as never);

    // Assess
    expect(allowed).toMatchObject({ statusCode: 200 });
    expect(denied).toMatchObject({ statusCode: 403 });
    expect(calls).toBe(1);
  });
});

describe('caller and error mapping', () => {
  it('reads the sub from JWT claims or from the Lambda authorizer context', () => {
    // Prepare
    const lambdaEvent = { requestContext: { authorizer: { lambda: { sub: 'from-authorizer' } } } };

    // Act / Assess
    expect(verifiedSubOf(jwtEvent('from-jwt'))).toBe('from-jwt');
    expect(verifiedSubOf(lambdaEvent as never)).toBe('from-authorizer');
    expect(() => verifiedSubOf(jwtEvent())).toThrow('no verified sub in the authorizer context');
  });

  it('maps FeatureNotInPlanError thrown inside a JWT route to the same 403 body', () => {
    // Act
    const response = errorResponse(new FeatureNotInPlanError(DENIED as Extract<AccessDecision, { allowed: false }>));

    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({
      error: { code: 'feature_not_in_plan', requiredFeature: 'scheduled-backups', currentPlan: 'free' },
    });
  });
});
