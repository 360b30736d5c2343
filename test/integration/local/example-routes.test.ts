import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack';
import { call, signedInAgain, signedUpUser, uniqueEmail } from '../../shipped/support';
import { useLocalStack } from '../../support/local-stack';

/**
 * The example protected routes on the local stack (source mode): `/example/reports` through the entitlements
 * authorizer run by the local gateway like API Gateway, `/example/team` through the JWT authorizer and the
 * in-Lambda feature gate. The user's plan changes through the real trial route.
 */
const started = useLocalStack('example-routes');
let stack: LocalStack;
beforeAll(() => {
  stack = started().stack;
});

describe('example routes on the local stack', () => {
  it('flips /example/reports from 403 to 200 when the plan grants scheduled-backups (after a token refresh)', async () => {
    // Prepare
    const email = uniqueEmail('example-reports');
    const user = await signedUpUser(stack, email);

    // Act
    const anonymous = await call(stack, 'GET', '/example/reports');
    const garbage = await call(stack, 'GET', '/example/reports', 'not-a-jwt');
    const asFree = await call(stack, 'GET', '/example/reports', user.idToken);
    const trial = await call(stack, 'POST', '/subscription/trial', user.idToken, {});
    const sameToken = await call(stack, 'GET', '/example/reports', user.idToken);
    const refreshed = await signedInAgain(stack, email);
    const asTrial = await call(stack, 'GET', '/example/reports', refreshed);

    // Assess
    expect(anonymous).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect(garbage).toEqual({ status: 403, body: { message: 'Forbidden' } });
    expect(asFree).toEqual({ status: 403, body: { message: 'Forbidden' } });
    expect(trial).toMatchObject({ status: 201, body: { plan: 'trial', refreshTokens: true } });
    // API Gateway caches the answer per token for the authorizer's TTL: the old token stays denied.
    expect(sameToken.status).toBe(403);
    expect(asTrial).toMatchObject({
      status: 200,
      body: { route: 'reports', checkedBy: 'authorizer', sub: user.sub, plan: 'trial' },
    });
  });

  it('answers /example/team with the feature gate: 403 feature_not_in_plan naming the plan to buy', async () => {
    // Prepare
    const user = await signedUpUser(stack, uniqueEmail('example-team'));

    // Act
    const response = await call(stack, 'GET', '/example/team', user.idToken);
    const anonymous = await call(stack, 'GET', '/example/team');

    // Assess
    expect(response).toEqual({
      status: 403,
      body: {
        error: {
          code: 'feature_not_in_plan',
          message: 'The feature "team-management" is not in your plan (free). Upgrade to business or higher to use it.',
          requiredFeature: 'team-management',
          requiredPlan: 'business',
          currentPlan: 'free',
        },
      },
    });
    expect(anonymous.status).toBe(401);
  });
});
