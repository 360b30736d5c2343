import { readAssemblyFiles } from './assembly-files';
import { IntrinsicResolver, type Scope } from './intrinsics';
import { physicalAtt, physicalRef } from './local-names';
import type { CognitoTriggerName, LocalResourceNames, ShippedApp, ShippedAuthorizer, ShippedRoute } from './model';
import { statementsByRole } from './role-policies';
import { shippedFunctions } from './shipped-functions';
import { isRecord, resourcesOfType, type StackTemplate } from './template';

/**
 * Reads a synthesized cloud assembly into the model the shipped-artifact tier runs: every function with its bundle,
 * template environment and role statements, plus how it is invoked (HTTP routes, Cognito triggers, schedules), the
 * tables and secrets the local stack must create, and each stack's outputs, all resolved to local values.
 */

export { CloudAssemblyError } from './assembly-files';
export { UnresolvableIntrinsicError } from './intrinsics';
export type * from './model';

export function loadCloudAssembly(dir: string, local: LocalResourceNames): ShippedApp {
  const { stacks, assetDirs } = readAssemblyFiles(dir);
  const resolver = new IntrinsicResolver(stacks, local);
  const functions = shippedFunctions({
    stacks,
    resolver,
    assetDirs,
    statementsByRole: statementsByRole(stacks, resolver),
  });
  const functionByArn = new Map(functions.map((fn) => [`function:${fn.logicalId}`, fn.logicalId]));
  const functionOf = (arn: string) => functionByArn.get(arn.match(/function:[^:/]+/)?.[0] ?? '');
  return {
    functions,
    routes: stacks.flatMap((stack) => routesOf(stack, resolver, functionOf)),
    triggers: Object.assign({}, ...stacks.map((stack) => triggersOf(stack, resolver, functionOf))),
    schedules: stacks.flatMap((stack) => schedulesOf(stack, resolver, functionOf)),
    secrets: stacks.flatMap((stack) =>
      resourcesOfType(stack, 'AWS::SecretsManager::Secret').map(([logicalId, resource]) => ({
        logicalId,
        arn: physicalRef(local, logicalId, resource),
      })),
    ),
    tables: stacks.flatMap((stack) =>
      resourcesOfType(stack, 'AWS::DynamoDB::Table').map(([logicalId, resource]) => ({
        logicalId,
        name: physicalRef(local, logicalId, resource),
        arn: physicalAtt(local, logicalId, resource, 'Arn'),
      })),
    ),
    outputs: Object.fromEntries(stacks.map((stack) => [stack.stackName, outputsOf(stack, resolver)])),
  };
}

type FunctionOf = (arn: string) => string | undefined;

/** HTTP API routes (`RouteKey` "POST /path") and the function behind each route's `integrations/<id>` target. */
function routesOf(stack: StackTemplate, resolver: IntrinsicResolver, functionOf: FunctionOf): ShippedRoute[] {
  return resourcesOfType(stack, 'AWS::ApiGatewayV2::Route').map(([logicalId, route]) => {
    const scope = { stack, logicalId };
    const props = route.Properties ?? {};
    const [method = '', routePath = ''] = resolver.string(scope, props.RouteKey).split(' ');
    const integrationId = resolver.string(scope, props.Target).replace(/^integrations\/(local-)?/, '');
    const integration = stack.template.Resources?.[integrationId];
    if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') {
      throw resolver.error(scope, props.Target, 'the target is not an integration of this stack');
    }
    const uri = resolver.string({ stack, logicalId: integrationId }, integration.Properties?.IntegrationUri);
    const auth = routeAuth(resolver, scope, props.AuthorizationType);
    return {
      method,
      path: routePath,
      auth,
      functionLogicalId: known(resolver, scope, uri, functionOf),
      ...(auth === 'custom'
        ? { authorizer: lambdaAuthorizerOf(stack, resolver, scope, props.AuthorizerId, functionOf) }
        : {}),
    };
  });
}

/** The route's `AuthorizerId` (a Ref to an AWS::ApiGatewayV2::Authorizer of type REQUEST) and its function. */
function lambdaAuthorizerOf(
  stack: StackTemplate,
  resolver: IntrinsicResolver,
  scope: Scope,
  authorizerId: unknown,
  functionOf: FunctionOf,
): ShippedAuthorizer {
  const ref = isRecord(authorizerId) && typeof authorizerId.Ref === 'string' ? authorizerId.Ref : undefined;
  const resource = ref ? stack.template.Resources?.[ref] : undefined;
  if (!ref || resource?.Type !== 'AWS::ApiGatewayV2::Authorizer') {
    throw resolver.error(scope, authorizerId, 'the route names no authorizer of this stack');
  }
  const authorizerScope = { stack, logicalId: ref };
  const props = resource.Properties ?? {};
  const type = resolver.string(authorizerScope, props.AuthorizerType);
  if (type !== 'REQUEST')
    throw resolver.error(authorizerScope, props.AuthorizerType, `authorizer type ${type} is not a Lambda authorizer`);
  const uri = resolver.string(authorizerScope, props.AuthorizerUri);
  const sources = props.IdentitySource === undefined ? [] : resolver.strings(authorizerScope, props.IdentitySource);
  return {
    functionLogicalId: known(resolver, authorizerScope, uri, functionOf),
    identitySource: sources,
    ttlSeconds: props.AuthorizerResultTtlInSeconds === undefined ? 0 : Number(props.AuthorizerResultTtlInSeconds),
    simpleResponses: props.EnableSimpleResponses === true,
    payloadFormatVersion:
      props.AuthorizerPayloadFormatVersion === undefined
        ? '1.0'
        : resolver.string(authorizerScope, props.AuthorizerPayloadFormatVersion),
  };
}

function routeAuth(resolver: IntrinsicResolver, scope: Scope, type: unknown): ShippedRoute['auth'] {
  const value = type === undefined ? 'NONE' : resolver.string(scope, type);
  if (value === 'JWT') return 'jwt';
  if (value === 'NONE') return 'none';
  if (value === 'CUSTOM') return 'custom';
  throw resolver.error(scope, type, `authorization type ${value} is not emulated locally`);
}

function known(resolver: IntrinsicResolver, scope: Scope, arn: string, functionOf: FunctionOf): string {
  const logicalId = functionOf(arn);
  if (!logicalId) throw resolver.error(scope, arn, 'this ARN names no function of the assembly');
  return logicalId;
}

/** User pool `LambdaConfig` entries naming a function (object-valued entries such as KMSKeyID are skipped). */
function triggersOf(stack: StackTemplate, resolver: IntrinsicResolver, functionOf: FunctionOf) {
  const triggers: Partial<Record<CognitoTriggerName, string>> = {};
  for (const [logicalId, pool] of resourcesOfType(stack, 'AWS::Cognito::UserPool')) {
    const config = pool.Properties?.LambdaConfig;
    if (!isRecord(config)) continue;
    for (const [name, value] of Object.entries(config)) {
      const resolved = resolver.resolve({ stack, logicalId }, value);
      const fn = typeof resolved === 'string' ? functionOf(resolved) : undefined;
      if (fn) triggers[name as CognitoTriggerName] = fn;
    }
  }
  return triggers;
}

/** EventBridge rules and Scheduler schedules with a schedule expression, one entry per function target. */
function schedulesOf(stack: StackTemplate, resolver: IntrinsicResolver, functionOf: FunctionOf) {
  const rules = [...resourcesOfType(stack, 'AWS::Events::Rule'), ...resourcesOfType(stack, 'AWS::Scheduler::Schedule')];
  return rules.flatMap(([logicalId, rule]) => {
    const scope = { stack, logicalId };
    const props = rule.Properties ?? {};
    if (props.ScheduleExpression === undefined) return [];
    const expression = resolver.string(scope, props.ScheduleExpression);
    const targets = Array.isArray(props.Targets) ? props.Targets : [props.Target];
    return targets.flatMap((target) => {
      const fn = isRecord(target) ? functionOf(resolver.string(scope, target.Arn)) : undefined;
      return fn ? [{ expression, functionLogicalId: fn }] : [];
    });
  });
}

function outputsOf(stack: StackTemplate, resolver: IntrinsicResolver): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stack.template.Outputs ?? {}).map(([key, output]) => [
      key,
      resolver.string({ stack, logicalId: `Outputs.${key}` }, output.Value),
    ]),
  );
}
