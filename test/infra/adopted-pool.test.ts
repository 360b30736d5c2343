import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseStageConfig } from '../../lib/stage-config';
import { createTestApp, templateOf } from './support';

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };

const POOL_ID = 'eu-west-1_AbC123dEf';
const POOL_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':cognito-idp:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:userpool/${POOL_ID}`,
    ],
  ],
};

describe('a stage that creates its user pool (default)', () => {
  const testApp = createTestApp();
  const auth = templateOf(testApp.auth);

  it('creates the pool with both triggers as CDK LambdaConfig, and no adoption resource', () => {
    auth.resourceCountIs('AWS::Cognito::UserPool', 1);
    auth.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreSignUp: Match.anyValue(), PostConfirmation: Match.anyValue() },
    });
    auth.resourceCountIs('Custom::AdoptedPoolTriggers', 0);
    expect(testApp.auth.adopted).toBe(false);
  });
});

describe('a stage that adopts an existing user pool', () => {
  const testApp = createTestApp({ overrides: { existingUserPool: { userPoolId: POOL_ID } } });
  const auth = templateOf(testApp.auth);
  const api = templateOf(testApp.api);

  it('creates no pool: imports it, and attaches the triggers through the custom resource', () => {
    auth.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(testApp.auth.adopted).toBe(true);
    const [resource] = Object.values(auth.findResources('Custom::AdoptedPoolTriggers')) as Resource[];
    expect(resource?.Properties).toMatchObject({
      UserPoolId: POOL_ID,
      PreSignUp: { 'Fn::GetAtt': [expect.stringMatching(/PreSignUp/), 'Arn'] },
      PostConfirmation: { 'Fn::GetAtt': [expect.stringMatching(/PostConfirmation/), 'Arn'] },
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/AdoptedPoolTriggersHandler/), 'Arn'] },
    });
  });

  it('lets Cognito invoke both triggers for that pool only', () => {
    const permissions = Object.values(auth.findResources('AWS::Lambda::Permission')) as Resource[];
    const cognito = permissions.filter((p) => p.Properties.Principal === 'cognito-idp.amazonaws.com');
    expect(cognito).toHaveLength(2);
    for (const permission of cognito) {
      expect(permission.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', SourceArn: POOL_ARN });
    }
  });

  it('the custom resource may describe and update that pool only, and pass roles only to Cognito', () => {
    auth.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'],
            Effect: 'Allow',
            Resource: POOL_ARN,
          }),
        ]),
      },
    });
    auth.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Resource: '*',
            Condition: { StringEquals: { 'iam:PassedToService': 'cognito-idp.amazonaws.com' } },
          },
        ],
      },
    });
  });

  it('creates the plan groups and admins in the adopted pool, and an app client there', () => {
    const groups = Object.values(auth.findResources('AWS::Cognito::UserPoolGroup')) as Resource[];
    expect(groups.length).toBe(testApp.auth.config.planCatalog.plans.length + 1);
    for (const group of groups) expect(group.Properties.UserPoolId).toBe(POOL_ID);
    auth.hasResourceProperties('AWS::Cognito::UserPoolClient', { UserPoolId: POOL_ID });
  });

  it('the Lambdas and the JWT authorizer reference the adopted pool', () => {
    const functions = Object.values(api.findResources('AWS::Lambda::Function')) as Resource[];
    const poolIds = functions
      .map((fn) => (fn.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables?.USER_POOL_ID)
      .filter((id) => id !== undefined);
    expect(poolIds.length).toBeGreaterThan(0);
    // The imported pool's id is a literal: no cross-stack export from the Auth stack
    for (const id of poolIds) expect(id).toBe(POOL_ID);
    expect(JSON.stringify(api.findResources('AWS::ApiGatewayV2::Authorizer'))).toContain(POOL_ID);
    auth.hasOutput('UserPoolId', { Value: POOL_ID });
  });

  it('with the pool’s own app client: no client created, the authorizer and outputs name that client', () => {
    const withClient = createTestApp({
      overrides: { existingUserPool: { userPoolId: POOL_ID, userPoolClientId: '1example23456789client0abc' } },
    });
    const authWithClient = templateOf(withClient.auth);
    authWithClient.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    authWithClient.hasOutput('UserPoolClientId', { Value: '1example23456789client0abc' });
  });
});

describe('stage config: existingUserPool', () => {
  const parse = (overrides: Record<string, unknown>) => () => parseStageConfig({ stage: 'dev', overrides });

  it('accepts a pool id (and a client id), as JSON from -c too', () => {
    expect(
      parseStageConfig({ stage: 'dev', overrides: { existingUserPool: `{"userPoolId":"${POOL_ID}"}` } })
        .existingUserPool,
    ).toEqual({
      userPoolId: POOL_ID,
    });
    expect(parseStageConfig({ stage: 'dev' }).existingUserPool).toBeUndefined();
  });

  it.each([
    [{ existingUserPool: { userPoolId: 'not-a-pool' } }, /user pool id/],
    [{ existingUserPool: { userPoolId: POOL_ID, userPoolClientId: 'Bad Client!' } }, /app client id/],
    [{ existingUserPool: { userPoolId: POOL_ID, extra: 1 } }, /extra/],
    [{ existingUserPool: { userPoolId: POOL_ID }, threatProtection: true }, /threatProtection/],
    [
      {
        existingUserPool: { userPoolId: POOL_ID },
        sesEmail: {
          fromAddress: 'no-reply@example.com',
          identityArn: 'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
        },
      },
      /sesEmail/,
    ],
    [
      {
        existingUserPool: { userPoolId: POOL_ID, userPoolClientId: 'abc123' },
        authDomainPrefix: 'example-login',
        identityProviders: { google: { clientId: 'g', clientSecretId: 'entitlements/dev/google' } },
      },
      /identityProviders with userPoolClientId/,
    ],
  ])('refuses %j', (overrides, message) => {
    expect(parse(overrides)).toThrow(message);
  });
});
