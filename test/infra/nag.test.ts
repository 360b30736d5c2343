import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AppFunction } from '../../lib/constructs/app-function';
import { createTestApp } from './support';

/**
 * cdk-nag 3 is a policy-validation plugin (no Annotations): `validateScope` walks the construct tree and returns
 * every unacknowledged finding, errors and warnings alike. Acknowledgements live in lib/nag-suppressions.ts.
 */
function violations(app: ReturnType<typeof createTestApp>['app']) {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity,
    resources: v.violatingResources.map((r) => ('constructPath' in r ? r.constructPath : r.resourceLogicalId)),
    description: v.description,
  }));
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged errors or warnings for dev', () => {
    const testApp = createTestApp();
    expect(violations(testApp.app)).toEqual([]);
  });

  it('reports none for prod with threat protection on (Plus tier, no COG8 acknowledgement)', () => {
    const testApp = createTestApp({
      stage: 'prod',
      overrides: { allowedOrigins: 'https://app.example.com', threatProtection: true },
    });
    expect(violations(testApp.app)).toEqual([]);
  });
});

describe('cdk-nag with feature Lambdas', () => {
  it('reports none for an AppFunction with tables, a secret, a JWT route and a public route', () => {
    const testApp = createTestApp();
    const { api, data, auth } = testApp;
    const fn = new AppFunction(api, 'Probe', {
      entry: 'test/infra/fixtures/noop-handler.ts',
      config: testApp.config,
    }).useContract(
      {
        tables: {
          userProfiles: ['GetItem', 'Query'],
          entitlements: ['GetItem', 'UpdateItem'],
          parkedEvents: ['Query'],
        },
        secrets: ['stripeApiKey'],
        userPool: { poolIdFrom: 'env', actions: ['AdminAddUserToGroup'] },
      },
      { tables: data.tables, secrets: { stripeApiKey: data.stripeSecrets.apiKey }, userPool: auth.userPool },
    );
    api.addLambdaRoute({ path: '/probe', method: HttpMethod.GET, fn: fn.fn, auth: 'jwt' });
    api.addLambdaRoute({
      path: '/webhooks/probe',
      method: HttpMethod.POST,
      fn: fn.fn,
      auth: 'none',
      publicReason: 'authenticated by a signature header, not a user token',
    });
    expect(violations(testApp.app)).toEqual([]);
  });
});

describe('cdk-nag wiring', () => {
  it('does flag an unacknowledged finding (the check is live)', () => {
    const testApp = createTestApp();
    new Secret(testApp.data, 'UnacknowledgedSecret');
    expect(violations(testApp.app).map((v) => v.rule)).toEqual(['AwsSolutions-SMG4']);
  });
});
