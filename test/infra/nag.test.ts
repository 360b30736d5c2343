import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AppFunction } from '../../lib/constructs/app-function';
import { createTestApp } from './support';

/**
 * cdk-nag 3 is a policy-validation plugin (no Annotations): `validateScope` walks the construct tree and returns
 * every unacknowledged finding, errors and warnings alike. Both packs bin/app.ts runs at synth (AwsSolutions and
 * Serverless) are checked. Acknowledgements live in lib/nag-suppressions.ts.
 */
function violations(app: ReturnType<typeof createTestApp>['app']) {
  return [new AwsSolutionsChecks(undefined, { verbose: true }), new ServerlessChecks(undefined, { verbose: true })]
    .flatMap((pack) => pack.validateScope(app).violations)
    .map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      resources: v.violatingResources.map((r) => ('constructPath' in r ? r.constructPath : r.resourceLogicalId)),
      description: v.description,
    }));
}

describe('cdk-nag AwsSolutions and Serverless', () => {
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

  it('reports none for a fully configured prod (alarm emails, identity providers, Cognito and API domains, SES)', () => {
    const testApp = createTestApp({
      stage: 'prod',
      overrides: {
        allowedOrigins: 'https://app.example.com',
        alarmEmails: 'ops@example.com',
        authDomainPrefix: 'example-login',
        identityProviders: {
          google: { clientId: 'id', clientSecretId: 'entitlements/google' },
          oidc: [{ name: 'okta', clientId: 'c', clientSecretId: 'entitlements/okta', issuerUrl: 'https://x.okta.com' }],
          saml: [{ name: 'corp', metadataUrl: 'https://login.example.com/metadata.xml' }],
        },
        sesEmail: {
          fromAddress: 'no-reply@example.com',
          identityArn: 'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
        },
        apiDomain: {
          domainName: 'api.example.com',
          certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
          hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' },
        },
      },
    });
    expect(violations(testApp.app)).toEqual([]);
  });
});

describe('cdk-nag with feature Lambdas', () => {
  it('reports none for a stage adopting an existing user pool (the trigger custom resource and its PassRole)', () => {
    const testApp = createTestApp({
      stage: 'prod',
      overrides: {
        allowedOrigins: ['https://app.example.com'],
        alarmEmails: ['ops@example.com'],
        existingUserPool: { userPoolId: 'eu-west-1_AbC123dEf' },
      },
    });
    expect(violations(testApp.app)).toEqual([]);
  });

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

  it('the Serverless pack is live too (an unacknowledged queue without a redrive policy is flagged)', () => {
    const testApp = createTestApp();
    new Queue(testApp.api, 'UnacknowledgedQueue', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
    expect(violations(testApp.app).map((v) => v.rule)).toEqual(['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']);
  });
});
