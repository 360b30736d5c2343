import { CloudAssemblyError } from './assembly-files';
import type { IntrinsicResolver, Scope } from './intrinsics';
import type { PolicyStatement } from './model';
import { isRecord, resourcesOfType, type StackTemplate } from './template';

/**
 * Collects the IAM statements that reach each role: AWS::IAM::Policy / ManagedPolicy resources listing the role in
 * `Roles`, the role's inline `Policies` and its `ManagedPolicyArns`. Statements the local evaluator cannot judge
 * (NotAction, NotResource, Condition) throw instead of being ignored, since ignoring them would widen or narrow
 * the role silently.
 */

/** AWS managed policies CDK may attach, with their documented statements (used by the Lambda service only). */
const AWS_MANAGED: Record<string, PolicyStatement[]> = {
  'service-role/AWSLambdaBasicExecutionRole': [
    {
      effect: 'Allow',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: ['*'],
    },
  ],
  AWSXRayDaemonWriteAccess: [
    {
      effect: 'Allow',
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules'],
      resources: ['*'],
    },
  ],
};

/** `<stack>/<role logical id>`: roles are identified per stack, since two stages may reuse logical ids. */
export type RoleKey = string;

export function statementsOf(resolver: IntrinsicResolver, scope: Scope, document: unknown): PolicyStatement[] {
  const raw = isRecord(document) ? document.Statement : undefined;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((statement: unknown) => {
    if (!isRecord(statement)) throw new CloudAssemblyError(`${where(scope)}: a policy statement is not an object`);
    for (const key of ['NotAction', 'NotResource', 'Condition']) {
      if (key in statement) throw new CloudAssemblyError(`${where(scope)}: ${key} is not supported by the local IAM`);
    }
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') throw new CloudAssemblyError(`${where(scope)}: Effect ${effect}`);
    return {
      effect,
      actions: resolver.strings(scope, statement.Action),
      resources: resolver.strings(scope, statement.Resource),
    };
  });
}

const where = (scope: Scope) => `${scope.stack.stackName}/${scope.logicalId}`;

/**
 * The role a `Role`/`Roles` value points at. Same-stack `Ref`/`GetAtt` are read directly; anything else (an imported
 * name or ARN) is resolved and matched by name, which is the role's logical id locally.
 */
export function roleKeyOf(stacks: StackTemplate[], resolver: IntrinsicResolver, scope: Scope, value: unknown): RoleKey {
  const direct = isRecord(value) ? (value.Ref ?? (value['Fn::GetAtt'] as unknown[] | undefined)?.[0]) : undefined;
  if (typeof direct === 'string' && scope.stack.template.Resources?.[direct]?.Type === 'AWS::IAM::Role') {
    return `${scope.stack.stackName}/${direct}`;
  }
  const name = resolver.string(scope, value).split('/').pop() ?? '';
  const matches = stacks.filter((stack) => stack.template.Resources?.[name]?.Type === 'AWS::IAM::Role');
  const [only] = matches;
  if (matches.length !== 1 || !only) {
    throw new CloudAssemblyError(`${where(scope)}: role ${name} matches ${matches.length} roles in the assembly`);
  }
  return `${only.stackName}/${name}`;
}

/** Every role's statements, keyed by RoleKey. */
export function statementsByRole(
  stacks: StackTemplate[],
  resolver: IntrinsicResolver,
): Map<RoleKey, PolicyStatement[]> {
  const byRole = new Map<RoleKey, PolicyStatement[]>();
  const add = (key: RoleKey, statements: PolicyStatement[]) =>
    byRole.set(key, [...(byRole.get(key) ?? []), ...statements]);
  for (const stack of stacks) {
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const [logicalId, policy] of resourcesOfType(stack, type)) {
        const scope = { stack, logicalId };
        const statements = statementsOf(resolver, scope, policy.Properties?.PolicyDocument);
        const roles = (policy.Properties?.Roles as unknown[] | undefined) ?? [];
        for (const role of roles) add(roleKeyOf(stacks, resolver, scope, role), statements);
      }
    }
    for (const [logicalId, role] of resourcesOfType(stack, 'AWS::IAM::Role')) {
      add(`${stack.stackName}/${logicalId}`, ownStatements(resolver, { stack, logicalId }, role.Properties ?? {}));
    }
  }
  return byRole;
}

/** A role's inline policies and managed policy ARNs. */
function ownStatements(resolver: IntrinsicResolver, scope: Scope, props: Record<string, unknown>): PolicyStatement[] {
  const inline = ((props.Policies as unknown[] | undefined) ?? []).flatMap((policy) =>
    statementsOf(resolver, scope, isRecord(policy) ? policy.PolicyDocument : undefined),
  );
  const managed = ((props.ManagedPolicyArns as unknown[] | undefined) ?? []).flatMap((arn) => {
    const ref = isRecord(arn) && typeof arn.Ref === 'string' ? scope.stack.template.Resources?.[arn.Ref] : undefined;
    if (ref?.Type === 'AWS::IAM::ManagedPolicy') return []; // its own `Roles` may not list this role: see below
    const name = resolver.string(scope, arn).replace(/^arn:[^:]+:iam::aws:policy\//, '');
    const known = AWS_MANAGED[name];
    if (!known) throw new CloudAssemblyError(`${where(scope)}: managed policy ${name} is unknown to the local IAM`);
    return known;
  });
  return [...inline, ...managed, ...customerManaged(resolver, scope, props)];
}

/** Customer managed policies of this stack attached through the role's `ManagedPolicyArns` (Ref). */
function customerManaged(resolver: IntrinsicResolver, scope: Scope, props: Record<string, unknown>) {
  return ((props.ManagedPolicyArns as unknown[] | undefined) ?? []).flatMap((arn) => {
    const id = isRecord(arn) && typeof arn.Ref === 'string' ? arn.Ref : undefined;
    const policy = id ? scope.stack.template.Resources?.[id] : undefined;
    if (!id || policy?.Type !== 'AWS::IAM::ManagedPolicy') return [];
    const listed = ((policy.Properties?.Roles as unknown[] | undefined) ?? []).some(
      (role) => isRecord(role) && role.Ref === scope.logicalId,
    );
    // Already counted through the policy's own Roles list; do not add its statements twice.
    return listed
      ? []
      : statementsOf(resolver, { stack: scope.stack, logicalId: id }, policy.Properties?.PolicyDocument);
  });
}
