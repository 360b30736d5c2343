import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { TABLES } from '../../lib/table-definitions';
import { createTestApp, findSecretsInLambdaEnvironments, templateOf } from './support';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

describe('StripeWebhook construct', () => {
  const testApp = createTestApp();
  const template = templateOf(testApp.api);
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'StripeWebhook' } } },
  });
  const [logicalId, fn] = Object.entries(functions)[0] ?? [];
  if (!fn) throw new Error('the StripeWebhook function is missing from the template');
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements: Statement[] = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const resourceText = (s: Statement) => JSON.stringify(s.Resource);
  const tableRef = (key: keyof typeof TABLES) => `${TABLES[key].localName}Table`;
  const grantsOn = (key: keyof typeof TABLES) =>
    statements.filter((s) => resourceText(s).includes(tableRef(key))).flatMap(actions);

  it('is one Lambda behind a public POST /webhooks/stripe route', () => {
    expect(logicalId).toBeDefined();
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/stripe',
      AuthorizationType: 'NONE',
    });
  });

  it('reads and records the ledger, writes Entitlements, parks and re-applies events', () => {
    expect(grantsOn('webhookEvents').sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(grantsOn('entitlements')).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    expect(grantsOn('parkedEvents')).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:DeleteItem']));
  });

  it('may only append to the AuditLog (and read account tombstones); UserProfiles: read, and update (unlink) only', () => {
    expect(grantsOn('auditLog').sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(grantsOn('userProfiles')).toContain('dynamodb:Query');
    // UpdateItem: customer.deleted unlinks the customer from the profile that still names it; never creates or
    // deletes a profile.
    expect(grantsOn('userProfiles')).toContain('dynamodb:UpdateItem');
    expect(grantsOn('userProfiles')).not.toContain('dynamodb:PutItem');
    expect(grantsOn('userProfiles')).not.toContain('dynamodb:DeleteItem');
    const profileStatement = statements.find(
      (s) => resourceText(s).includes(tableRef('userProfiles')) && actions(s).includes('dynamodb:Query'),
    );
    expect(resourceText(profileStatement as Statement)).toContain('/index/StripeCustomerIndex');
  });

  it('has no access to the ReconcileState table', () => {
    expect(grantsOn('reconcileState')).toEqual([]);
  });

  it('reads both Stripe secrets and receives only their ARNs', () => {
    const variables = fn?.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['STRIPE_SECRET_ARN', 'STRIPE_WEBHOOK_SECRET_ARN']));
    expect(statements.filter((s) => actions(s).includes('secretsmanager:GetSecretValue'))).toHaveLength(2);
    expect(findSecretsInLambdaEnvironments(testApp.api)).toEqual([]);
  });

  it('may call only the group actions, on the user pool ARN only', () => {
    const cognito = statements.filter((s) => actions(s).some((a) => a.startsWith('cognito-idp:')));
    expect(cognito.flatMap(actions).sort()).toEqual(
      CONTRACTS.stripeWebhook.userPool.actions.map((a) => `cognito-idp:${a}`).sort(),
    );
    for (const statement of cognito) expect(resourceText(statement)).toMatch(/UserPool/);
  });

  it('never grants a wildcard action', () => {
    for (const statement of statements) {
      for (const action of actions(statement)) expect(action).not.toMatch(/\*/);
    }
  });
});
