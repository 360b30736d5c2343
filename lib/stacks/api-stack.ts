import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import { suppressPublicRoute } from '../nag-suppressions';
import type { StageConfig } from '../stage-config';
import type { DataStack } from './data-stack';

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /** Tables and Stripe secrets for the route Lambdas that later features add. */
  readonly data: Pick<DataStack, 'tables' | 'stripeSecrets'>;
}

export interface LambdaRouteOptions {
  /** Route path, e.g. `/subscription/status` or `/webhooks/stripe`. */
  readonly path: string;
  /** `HttpMethod.GET` or the plain string (`'GET'`), so lib/route-table.ts entries fit as they are. */
  readonly method: apigw.HttpMethod | `${apigw.HttpMethod}`;
  /** Usually an `AppFunction#fn` created in this stack. */
  readonly fn: IFunction;
  /**
   * `jwt`: the Cognito JWT authorizer (ID or access token of the SPA client). `none`: public. Or any route
   * authorizer, e.g. `EntitlementsAuthorizers#requireFeature(...)`.
   */
  readonly auth: 'jwt' | 'none' | apigw.IHttpRouteAuthorizer;
  /** Required for `auth: 'none'`: why the route is public (recorded as the cdk-nag APIG4 acknowledgement). */
  readonly publicReason?: string;
}

/** JSON access log line (cdk-nag wants JSON; Logs Insights can query it). */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  userSub: '$context.authorizer.claims.sub',
});

/**
 * The HTTP API: JWT authorizer bound to the pool and the SPA client, CORS for the stage's origins, default-stage
 * throttling and JSON access logs. Each feature adds its own Lambda and route with `addLambdaRoute`, from its own
 * construct file, with the Lambda created in this stack (`new AppFunction(apiStack, ...)`).
 */
export class ApiStack extends Stack {
  readonly config: StageConfig;
  readonly data: Pick<DataStack, 'tables' | 'stripeSecrets'>;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  readonly httpApi: apigw.HttpApi;
  readonly authorizer: HttpJwtAuthorizer;
  readonly accessLogs: LogGroup;
  /** Base URL of the default stage, ending in `/` (the custom domain's when the stage has one). */
  readonly apiUrl: string;
  /** The custom domain of the stage (`apiDomain`), mapped to the default stage. */
  readonly domainName: apigw.DomainName | undefined;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    this.data = props.data;
    this.userPool = props.userPool;
    this.userPoolClient = props.userPoolClient;

    const issuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${props.userPool.userPoolId}`;
    this.authorizer = new HttpJwtAuthorizer('CognitoJwt', issuer, {
      jwtAudience: [props.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: `Entitlements API (${config.stage})`,
      createDefaultStage: true,
      corsPreflight: {
        allowOrigins: [...config.allowedOrigins],
        allowMethods: [
          apigw.CorsHttpMethod.GET,
          apigw.CorsHttpMethod.POST,
          apigw.CorsHttpMethod.PUT,
          apigw.CorsHttpMethod.DELETE,
          apigw.CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type'],
        allowCredentials: false,
        maxAge: Duration.hours(1),
      },
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const stage = this.httpApi.defaultStage?.node.defaultChild;
    if (!(stage instanceof apigw.CfnStage)) throw new Error('HttpApi has no default stage to configure');
    stage.accessLogSettings = { destinationArn: this.accessLogs.logGroupArn, format: ACCESS_LOG_FORMAT };
    stage.defaultRouteSettings = {
      throttlingRateLimit: config.apiThrottle.rateLimit,
      throttlingBurstLimit: config.apiThrottle.burstLimit,
    };

    this.domainName = config.apiDomain ? this.addCustomDomain(config.apiDomain) : undefined;
    this.apiUrl = config.apiDomain ? `https://${config.apiDomain.domainName}/` : `${this.httpApi.apiEndpoint}/`;
    new CfnOutput(this, 'ApiUrl', { value: this.apiUrl, description: 'Base URL of the HTTP API' });
  }

  /**
   * The stage's custom domain: a regional API Gateway domain name (TLS 1.2) on the given ACM certificate, mapped to
   * the default stage, and an alias record when a hosted zone is given. The execute-api URL keeps working.
   */
  private addCustomDomain(settings: NonNullable<StageConfig['apiDomain']>): apigw.DomainName {
    const domain = new apigw.DomainName(this, 'ApiDomain', {
      domainName: settings.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'ApiCertificate', settings.certificateArn),
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    });
    const stage = this.httpApi.defaultStage;
    if (!stage) throw new Error('HttpApi has no default stage to map the custom domain to');
    new apigw.ApiMapping(this, 'ApiDomainMapping', { api: this.httpApi, domainName: domain, stage });
    if (settings.hostedZone) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'ApiHostedZone', {
        hostedZoneId: settings.hostedZone.id,
        zoneName: settings.hostedZone.name,
      });
      new route53.ARecord(this, 'ApiAliasRecord', {
        zone,
        recordName: settings.domainName,
        target: route53.RecordTarget.fromAlias(
          new route53Targets.ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId),
        ),
      });
    }
    return domain;
  }

  /**
   * Adds one route to one Lambda. `jwt` routes require a valid token of the SPA client; `none` routes are public
   * and need a `publicReason` (the Stripe webhook authenticates by signature instead).
   */
  addLambdaRoute(options: LambdaRouteOptions): apigw.HttpRoute[] {
    const { path, method, fn, auth } = options;
    if (!path.startsWith('/')) throw new Error(`Route path "${path}" must start with "/"`);
    if (auth === 'none' && !options.publicReason?.trim()) {
      throw new Error(`Public route ${method} ${path} needs a publicReason`);
    }
    const id = `${method}${path}`.replace(/[^A-Za-z0-9]+/g, '-');
    const routes = this.httpApi.addRoutes({
      path,
      methods: [method as apigw.HttpMethod],
      integration: new HttpLambdaIntegration(`${id}-Integration`, fn),
      authorizer: auth === 'jwt' ? this.authorizer : auth === 'none' ? new apigw.HttpNoneAuthorizer() : auth,
    });
    if (auth === 'none') {
      for (const route of routes) suppressPublicRoute(route, options.publicReason ?? '');
    }
    return routes;
  }
}
