import { Duration } from 'aws-cdk-lib';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type AccessRequirement, assertKnownRequirement, requirementToString } from '../../lambdas/domain/feature-gate';
import type { PlanId } from '../../lambdas/domain/plan-catalog-schema';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS } from '../route-table';
import type { StageConfig } from '../stage-config';
import { AppFunction, type AppTables } from './app-function';

export interface EntitlementsAuthorizersProps {
  readonly config: StageConfig;
  /** The pool and SPA client whose ID or access tokens callers send (`Authorization: Bearer <token>`). */
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /** The Entitlements table (DataStack.tables.entitlements): the authorizer reads it with GetItem only. */
  readonly entitlementsTable: ITable;
  /**
   * How long API Gateway caches an answer per token: the staleness bound of a plan change on these routes (a new
   * token, which the status route asks for after a group change, is a new cache key). 0 disables caching.
   * @default 60 seconds
   */
  readonly resultsCacheTtl?: Duration;
}

/**
 * Route authorizers that let a request through only if the caller's plan grants a feature (or reaches a plan):
 * an HTTP API Lambda authorizer (payload 2.0, simple responses, cached per `Authorization` header) backed by
 * `lambdas/handlers/entitlements-authorizer.ts`, which verifies the Cognito token and reads the Entitlements record.
 * One line per route of any HTTP API in the stack:
 *
 * ```ts
 * const gates = new EntitlementsAuthorizers(stack, 'Gates', { config, userPool, userPoolClient, entitlementsTable });
 * httpApi.addRoutes({ path: '/reports', methods: [HttpMethod.GET], integration, authorizer: gates.requireFeature('scheduled-backups') });
 * ```
 *
 * Each distinct requirement gets its own small function (API Gateway caches per authorizer and token, so one
 * function per requirement keeps a cached "yes" for one route from opening another); asking twice returns the same
 * authorizer. A denial is API Gateway's `403 {"message":"Forbidden"}`; no or an empty `Authorization` header is its
 * `401`; an authorizer failure (Entitlements unreadable) is a `500` and is not cached.
 */
export class EntitlementsAuthorizers extends Construct {
  readonly functions = new Map<string, AppFunction>();
  private readonly authorizers = new Map<string, HttpLambdaAuthorizer>();
  private readonly props: EntitlementsAuthorizersProps;

  constructor(scope: Construct, id: string, props: EntitlementsAuthorizersProps) {
    super(scope, id);
    this.props = props;
  }

  requireFeature(feature: string): HttpLambdaAuthorizer {
    return this.for({ feature });
  }

  requirePlan(plan: PlanId): HttpLambdaAuthorizer {
    return this.for({ plan });
  }

  /** The authorizer for a requirement string as the route table writes it (`feature:<name>` or `plan:<id>`). */
  forRequirement(text: string): HttpLambdaAuthorizer {
    const [kind, name] = text.split(':');
    if (!name || (kind !== 'feature' && kind !== 'plan')) throw new Error(`"${text}" is not a requirement`);
    return this.for(kind === 'feature' ? { feature: name } : { plan: name as PlanId });
  }

  for(requirement: AccessRequirement): HttpLambdaAuthorizer {
    const key = requirementToString(requirement);
    const existing = this.authorizers.get(key);
    if (existing) return existing;
    // Fails synth for a feature no plan grants or a plan the catalog lacks (a typo would deny everyone).
    const { config } = this.props;
    assertKnownRequirement(requirement, config.planCatalog);
    const id = key.replace(/[^A-Za-z0-9]+/g, '-');
    const fn = new AppFunction(this, id, {
      entry: 'lambdas/handlers/entitlements-authorizer.ts',
      config,
      description: `Entitlements authorizer: ${key}`,
      serviceName: `EntitlementsAuthorizer-${id}`,
      memorySize: 256,
      timeout: Duration.seconds(5),
    })
      .useContract(CONTRACTS.entitlementsAuthorizer, {
        tables: { entitlements: this.props.entitlementsTable } as AppTables,
      })
      .addEnvironment('USER_POOL_ID', this.props.userPool.userPoolId)
      .addEnvironment('USER_POOL_CLIENT_ID', this.props.userPoolClient.userPoolClientId)
      .addEnvironment('GATE_REQUIREMENT', key);
    const authorizer = new HttpLambdaAuthorizer(`EntitlementsAuthorizer-${id}`, fn.fn, {
      authorizerName: `entitlements-${id}`.slice(0, 128),
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: this.props.resultsCacheTtl ?? Duration.seconds(DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS),
    });
    this.functions.set(key, fn);
    this.authorizers.set(key, authorizer);
    return authorizer;
  }
}
