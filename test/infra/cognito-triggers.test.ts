import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CognitoTriggers } from '../../lib/constructs/cognito-triggers';
import { AuthStack } from '../../lib/stacks/auth-stack';
import { createTestApp, templateOf } from './support';

type Json = Record<string, unknown>;

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

const testApp = createTestApp();
const template = templateOf(testApp.auth);
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties?: Json; DependsOn?: string[] }
>;

function logicalIdOf(type: string, pathPart: string): string {
  const matches = Object.entries(resources).filter(([id, resource]) => resource.Type === type && id.includes(pathPart));
  if (matches.length !== 1 || !matches[0])
    throw new Error(`expected one ${type} matching ${pathPart}, got ${matches.length}`);
  return matches[0][0];
}

const poolId = logicalIdOf('AWS::Cognito::UserPool', 'UserPool');
const preSignUpFn = logicalIdOf('AWS::Lambda::Function', 'CognitoTriggersPreSignUpFunction');
const postConfirmationFn = logicalIdOf('AWS::Lambda::Function', 'CognitoTriggersPostConfirmationFunction');
const preSignUpRole = logicalIdOf('AWS::IAM::Role', 'CognitoTriggersPreSignUpRole');
const postConfirmationRole = logicalIdOf('AWS::IAM::Role', 'CognitoTriggersPostConfirmationRole');

/** Every statement of every IAM policy attached to a role. */
function statementsOf(roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => ((r.Properties?.Roles ?? []) as Json[]).some((role) => (role as { Ref?: string }).Ref === roleId))
    .flatMap((r) => ((r.Properties?.PolicyDocument ?? { Statement: [] }) as { Statement: Statement[] }).Statement);
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function allActions(roleId: string): string[] {
  return statementsOf(roleId).flatMap(actionsOf);
}

function envOf(fnId: string): Record<string, unknown> {
  return ((resources[fnId]?.Properties?.Environment as Json)?.Variables ?? {}) as Record<string, unknown>;
}

/** Logical ids a resource refers to (Ref, Fn::GetAtt, DependsOn). */
function referencesOf(id: string): Set<string> {
  const found = new Set<string>(resources[id]?.DependsOn ?? []);
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, nested] of Object.entries(value)) {
        if (key === 'Ref' && typeof nested === 'string') found.add(nested);
        else if (key === 'Fn::GetAtt' && Array.isArray(nested) && typeof nested[0] === 'string') found.add(nested[0]);
        else walk(nested);
      }
    }
  };
  walk(resources[id]?.Properties);
  return new Set([...found].filter((ref) => ref in resources));
}

describe('CognitoTriggers', () => {
  it('attaches both functions to the pool as PreSignUp and PostConfirmation', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreSignUp: { 'Fn::GetAtt': [preSignUpFn, 'Arn'] },
        PostConfirmation: { 'Fn::GetAtt': [postConfirmationFn, 'Arn'] },
      },
    });
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    for (const fn of [preSignUpFn, postConfirmationFn]) {
      expect(permissions).toContainEqual(
        expect.objectContaining({
          Properties: expect.objectContaining({
            FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
            Principal: 'cognito-idp.amazonaws.com',
            SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
          }),
        }),
      );
    }
  });

  it("time-boxes both triggers to Cognito's 5 s and never names the pool in their environment", () => {
    for (const fn of [preSignUpFn, postConfirmationFn]) {
      expect(resources[fn]?.Properties?.Timeout).toBe(5);
      expect(envOf(fn)).not.toHaveProperty('USER_POOL_ID');
    }
    expect(envOf(preSignUpFn)).toMatchObject({ PRE_SIGNUP_FAIL_OPEN: 'false', USER_PROFILES_TABLE: expect.anything() });
    expect(envOf(postConfirmationFn)).toMatchObject({
      USER_PROFILES_TABLE: expect.anything(),
      ENTITLEMENTS_TABLE: expect.anything(),
      PARKED_EVENTS_TABLE: expect.anything(),
      AUDIT_TABLE: expect.anything(),
      STRIPE_SECRET_ARN: expect.anything(),
    });
    expect(Object.keys(envOf(postConfirmationFn))).not.toContain('STRIPE_SECRET_KEY');
  });

  it('grants no wildcard action, and Cognito actions only on this pool', () => {
    for (const role of [preSignUpRole, postConfirmationRole]) {
      const actions = allActions(role);
      expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
      const cognitoStatements = statementsOf(role).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('cognito-idp:')),
      );
      expect(cognitoStatements.length).toBeGreaterThan(0);
      for (const statement of cognitoStatements) {
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [poolId, 'Arn'] });
      }
    }
  });

  it('pre-signup: ListUsers, AdminGetUser + AdminLinkProviderForUser on the pool, a Query on UserProfiles.EmailIndex, nothing else', () => {
    const actions = allActions(preSignUpRole).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));
    expect(actions.sort()).toEqual([
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminLinkProviderForUser',
      'cognito-idp:ListUsers',
      'dynamodb:Query',
    ]);
    const query = statementsOf(preSignUpRole).find((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(JSON.stringify(query?.Resource)).toContain('/index/EmailIndex');
    expect(JSON.stringify(query?.Resource)).not.toContain('StripeCustomerIndex');
  });

  it('post-confirmation: group membership on the pool, its tables, the Stripe key; no pool scan, no other tables', () => {
    const actions = allActions(postConfirmationRole);
    expect(actions).toEqual(
      expect.arrayContaining([
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminRemoveUserFromGroup',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
        'secretsmanager:GetSecretValue',
      ]),
    );
    expect(actions.filter((a) => a.startsWith('cognito-idp:')).sort()).toEqual([
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminListGroupsForUser',
      'cognito-idp:AdminRemoveUserFromGroup',
    ]);
    const resourcesText = JSON.stringify(statementsOf(postConfirmationRole).map((s) => s.Resource));
    expect(resourcesText).not.toMatch(/WebhookEvents|ReconcileState/);
  });

  it("keeps the Cognito grants out of the functions' dependencies, so pool -> function -> policy -> pool cannot cycle", () => {
    const poolPolicies = Object.entries(resources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes('PoolAccess'))
      .map(([id]) => id);
    expect(poolPolicies).toHaveLength(2);
    // Depth-first search over Ref / GetAtt / DependsOn: no resource reaches itself.
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (id: string, path: string[]) => {
      if (done.has(id)) return;
      if (visiting.has(id)) {
        cycles.push([...path, id].join(' -> '));
        return;
      }
      visiting.add(id);
      for (const ref of referencesOf(id)) visit(ref, [...path, id]);
      visiting.delete(id);
      done.add(id);
    };
    for (const id of Object.keys(resources)) visit(id, []);
    expect(cycles).toEqual([]);
    for (const fn of [preSignUpFn, postConfirmationFn]) {
      for (const policy of poolPolicies) expect(referencesOf(fn).has(policy)).toBe(false);
    }
  });

  it('can be configured to fail open', () => {
    const other = createTestApp();
    const auth = new AuthStack(other.app, 'OpenAuth', { config: other.config, data: other.data });
    new CognitoTriggers(auth, 'Triggers', { auth, preSignUpFailOpen: true });
    templateOf(auth).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PRE_SIGNUP_FAIL_OPEN: 'true' }) },
    });
  });
});
