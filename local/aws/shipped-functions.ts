import * as path from 'node:path';
import { CloudAssemblyError } from './assembly-files';
import type { IntrinsicResolver, Scope } from './intrinsics';
import type { PolicyStatement, ShippedFunction } from './model';
import { type RoleKey, roleKeyOf } from './role-policies';
import { isRecord, resourcesOfType, type StackTemplate, type TemplateResource } from './template';

/** Each AWS::Lambda::Function of the assembly, as it would run in AWS: bundle, settings, environment and role. */

export interface FunctionSources {
  stacks: StackTemplate[];
  resolver: IntrinsicResolver;
  /** S3 object key -> asset folder. */
  assetDirs: Map<string, string>;
  statementsByRole: Map<RoleKey, PolicyStatement[]>;
}

export function shippedFunctions(sources: FunctionSources): ShippedFunction[] {
  const functions = sources.stacks.flatMap((stack) =>
    resourcesOfType(stack, 'AWS::Lambda::Function').map(([logicalId, resource]) =>
      shippedFunction(sources, { stack, logicalId }, resource),
    ),
  );
  return withUniqueNames(functions);
}

function shippedFunction(sources: FunctionSources, scope: Scope, resource: TemplateResource): ShippedFunction {
  const { resolver } = sources;
  const props = resource.Properties ?? {};
  const variables = isRecord(props.Environment) ? (props.Environment.Variables ?? {}) : {};
  if (!isRecord(variables)) throw new CloudAssemblyError(`${where(scope)}: Environment.Variables is not a map`);
  const environment = Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, resolver.string(scope, value)]),
  );
  const roleKey = roleKeyOf(sources.stacks, resolver, scope, props.Role);
  return {
    logicalId: scope.logicalId,
    stackName: scope.stack.stackName,
    constructPath: constructPathOf(scope, resource),
    name: '',
    assetDir: assetDirOf(sources, scope, resource),
    handler: resolver.string(scope, props.Handler),
    runtime: resolver.string(scope, props.Runtime),
    timeoutSeconds: Number(props.Timeout ?? 3),
    memorySize: Number(props.MemorySize ?? 128),
    environment,
    roleArn: resolver.string(scope, props.Role),
    statements: sources.statementsByRole.get(roleKey) ?? [],
  };
}

const where = (scope: Scope) => `${scope.stack.stackName}/${scope.logicalId}`;

function constructPathOf(scope: Scope, resource: TemplateResource): string {
  const fromTemplate = resource.Metadata?.['aws:cdk:path'];
  if (typeof fromTemplate === 'string') return fromTemplate;
  return scope.stack.constructPaths.get(scope.logicalId) ?? `${scope.stack.stackName}/${scope.logicalId}`;
}

/**
 * The bundle folder: the `aws:asset:path` metadata when synth recorded it (the CDK CLI asks for it), otherwise the
 * asset manifest entry whose object key is the function's `Code.S3Key` (a direct `app.synth()` records no metadata).
 */
function assetDirOf(sources: FunctionSources, scope: Scope, resource: TemplateResource): string {
  const assetPath = resource.Metadata?.['aws:asset:path'];
  if (typeof assetPath === 'string') return path.resolve(scope.stack.assemblyDir, assetPath);
  const code = resource.Properties?.Code;
  if (isRecord(code) && code.S3Key !== undefined) {
    const key = sources.resolver.string(scope, code.S3Key);
    const dir = sources.assetDirs.get(key);
    if (dir) return dir;
    throw new CloudAssemblyError(`${where(scope)}: no asset manifest publishes ${key}`);
  }
  throw new CloudAssemblyError(`${where(scope)}: only S3 asset code is supported (inline or image code is not)`);
}

/**
 * `dev-Api/Reconcile/Scheduled/Function/Resource` -> `ReconcileScheduled`: the construct ids between the stack and
 * the function, with CDK's `Function/Resource` tail dropped and repeated ids collapsed (`StripeWebhook/StripeWebhook`).
 */
export function shortName(constructPath: string): string {
  const ids = constructPath.split('/').slice(1);
  if (ids.at(-1) === 'Resource') ids.pop();
  if (ids.length > 1 && ids.at(-1) === 'Function') ids.pop();
  return ids.filter((id, index) => id !== ids[index - 1]).join('');
}

function withUniqueNames(functions: ShippedFunction[]): ShippedFunction[] {
  const named = functions.map((fn) => ({ ...fn, name: shortName(fn.constructPath) || fn.logicalId }));
  const prefixed = named.map((fn) => (count(named, fn.name) > 1 ? { ...fn, name: `${fn.stackName}/${fn.name}` } : fn));
  // Stack name + logical id is unique by construction: the last resort.
  return prefixed.map((fn) => (count(prefixed, fn.name) > 1 ? { ...fn, name: `${fn.stackName}/${fn.logicalId}` } : fn));
}

const count = (functions: ShippedFunction[], name: string) => functions.filter((fn) => fn.name === name).length;
