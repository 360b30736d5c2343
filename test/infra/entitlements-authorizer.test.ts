import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { EntitlementsAuthorizers } from '../../lib/constructs/entitlements-authorizer';
import type { ExampleApi } from '../../lib/constructs/example-api';
import { ROUTES } from '../../lib/route-table';
import { parseStageConfig } from '../../lib/stage-config';
import { createTestApp, templateOf } from './support';

const config = parseStageConfig({ stage: 'dev' });

/** A stack of the adopter's own: its own HTTP API and function, our pool, client and Entitlements table. */
function adopterStack(resultsCacheTtl?: Duration) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Adopter');
  const userPool = new UserPool(stack, 'Pool');
  const userPoolClient = userPool.addClient('Spa');
  const entitlementsTable = new TableV2(stack, 'Entitlements', {
    partitionKey: { name: 'cognito_sub', type: AttributeType.STRING },
  });
  const gates = new EntitlementsAuthorizers(stack, 'Gates', {
    config,
    userPool,
    userPoolClient,
    entitlementsTable,
    ...(resultsCacheTtl ? { resultsCacheTtl } : {}),
  });
  const api = new HttpApi(stack, 'MyApi');
  const fn = new LambdaFunction(stack, 'Reports', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
  });
  const integration = new HttpLambdaIntegration('ReportsIntegration', fn);
  // The one line per route:
  api.addRoutes({
    path: '/reports',
    methods: [HttpMethod.GET],
    integration,
    authorizer: gates.requireFeature('scheduled-backups'),
  });
  api.addRoutes({
    path: '/exports',
    methods: [HttpMethod.GET],
    integration,
    authorizer: gates.requireFeature('scheduled-backups'),
  });
  api.addRoutes({ path: '/team', methods: [HttpMethod.GET], integration, authorizer: gates.requirePlan('business') });
  return { stack, gates, template: Template.fromStack(stack) };
}

describe('EntitlementsAuthorizers on an HTTP API of your own', () => {
  it('adds a REQUEST authorizer with simple responses, cached per Authorization header (60 s by default)', () => {
    // Act
    const { template } = adopterStack();

    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 2);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 60,
      Name: 'entitlements-feature-scheduled-backups',
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType]).sort()).toEqual([
      ['GET /exports', 'CUSTOM'],
      ['GET /reports', 'CUSTOM'],
      ['GET /team', 'CUSTOM'],
    ]);
  });

  it('reuses one authorizer and function per requirement, and honours the cache TTL', () => {
    // Act
    const { gates, template } = adopterStack(Duration.seconds(0));

    // Assess
    expect([...gates.functions.keys()].sort()).toEqual(['feature:scheduled-backups', 'plan:business']);
    template.allResourcesProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
  });

  it('gives each authorizer function its requirement, pool and client, and only GetItem on Entitlements', () => {
    // Act
    const { stack, gates, template } = adopterStack();
    const fn = gates.functions.get('plan:business');
    if (!fn) throw new Error('no function for plan:business');
    const roleId = stack.getLogicalId(fn.role.node.defaultChild as never);

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GATE_REQUIREMENT: 'plan:business',
          USER_POOL_ID: Match.anyValue(),
          USER_POOL_CLIENT_ID: Match.anyValue(),
          ENTITLEMENTS_TABLE: Match.anyValue(),
        }),
      },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(statements.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
    expect(statements.filter((a) => a.startsWith('cognito-idp:'))).toEqual([]);
  });

  it('fails synth for a feature no plan grants', () => {
    // Prepare
    const { gates } = adopterStack();

    // Act / Assess
    expect(() => gates.requireFeature('schedule-backups')).toThrow(
      'No plan in the catalog grants the feature "schedule-backups"',
    );
  });
});

describe('ExampleApi in the app', () => {
  const testApp = createTestApp();
  const template = templateOf(testApp.api);

  it('serves /example/reports behind the authorizer and /example/team behind the JWT authorizer', () => {
    // Prepare
    const example = testApp.api.node.findChild('ExampleApi') as ExampleApi;
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    const byKey = new Map(routes.map((r) => [r.RouteKey, r]));

    // Assess
    expect(byKey.get(`GET ${ROUTES.exampleReports.path}`)?.AuthorizationType).toBe('CUSTOM');
    expect(byKey.get(`GET ${ROUTES.exampleTeam.path}`)?.AuthorizationType).toBe('JWT');
    expect([...example.authorizers.functions.keys()]).toEqual(['feature:scheduled-backups']);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExampleApiAuthorizersfeaturescheduledbackups'), 'Arn'] },
    });
  });
});
