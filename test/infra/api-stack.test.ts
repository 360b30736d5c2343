import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { describe, expect, it } from 'vitest';
import { AppFunction } from '../../lib/constructs/app-function';
import { createTestApp, templateOf } from './support';

describe('ApiStack', () => {
  const testApp = createTestApp();
  const template = templateOf(testApp.api);

  it('is named after the stage', () => {
    expect(testApp.api.stackName).toBe('dev-Api');
  });

  it('has an HTTP API with CORS for the stage origins only', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['http://localhost:5173', 'http://localhost:3000'],
        AllowHeaders: ['authorization', 'content-type'],
      }),
    });
  });

  it('has a JWT authorizer bound to the user pool issuer and the SPA client', () => {
    // One JWT authorizer, shared by every JWT route (the example route's entitlements authorizer is REQUEST).
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' }, 1);
    const withRoute = createTestApp();
    const fn = new AppFunction(withRoute.api, 'Status', {
      entry: 'test/infra/fixtures/noop-handler.ts',
      config: withRoute.config,
    });
    withRoute.api.addLambdaRoute({ path: '/test/jwt', method: HttpMethod.GET, fn: fn.fn, auth: 'jwt' });
    const routed = templateOf(withRoute.api);
    routed.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ 'Fn::ImportValue': Match.stringLikeRegexp('UserPoolSpaClient') }],
        Issuer: {
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^https://cognito-idp\\.')])],
        },
      },
    });
    routed.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /test/jwt',
      AuthorizationType: 'JWT',
    });
  });

  it('accepts route-table style string methods', () => {
    const app = createTestApp();
    const fn = new AppFunction(app.api, 'Portal', { entry: 'test/infra/fixtures/noop-handler.ts', config: app.config });
    app.api.addLambdaRoute({ path: '/billing/portal', method: 'POST', fn: fn.fn, auth: 'jwt' });
    templateOf(app.api).hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /billing/portal' });
  });

  it('throttles the default stage and writes JSON access logs to its own log group', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(stage?.Properties.StageName).toBe('$default');
    expect(stage?.Properties.AutoDeploy).toBe(true);
    expect(stage?.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: testApp.config.apiThrottle.rateLimit,
      ThrottlingBurstLimit: testApp.config.apiThrottle.burstLimit,
    });
    const logs = stage?.Properties.AccessLogSettings;
    expect(logs.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AccessLogs/), 'Arn'] });
    expect(JSON.parse(logs.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('outputs the API URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });

  it('makes public routes explicit: no authorizer, and a reason is required', () => {
    const withRoute = createTestApp();
    const fn = new AppFunction(withRoute.api, 'Webhook', {
      entry: 'test/infra/fixtures/noop-handler.ts',
      config: withRoute.config,
    });
    expect(() =>
      withRoute.api.addLambdaRoute({ path: '/test/public', method: HttpMethod.POST, fn: fn.fn, auth: 'none' }),
    ).toThrow(/publicReason/);
    withRoute.api.addLambdaRoute({
      path: '/test/public',
      method: HttpMethod.POST,
      fn: fn.fn,
      auth: 'none',
      publicReason: 'Stripe authenticates by signature',
    });
    templateOf(withRoute.api).hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /test/public',
      AuthorizationType: 'NONE',
    });
  });
});
