import { describe, expect, it } from 'vitest';
import type { AccountApi } from '../../lib/constructs/account-api';
import type { AppFunction } from '../../lib/constructs/app-function';
import type { Reconcile } from '../../lib/constructs/reconcile';
import { parseStageConfig } from '../../lib/stage-config';
import { createTestApp, templateOf } from './support';

type Statement = { Action: string | string[]; Resource: unknown };

describe('stage config: accountDeletion', () => {
  it('defaults: cancel now and delete the customer; orphans: cancel', () => {
    expect(parseStageConfig({ stage: 'dev' }).accountDeletion).toEqual({
      user: { subscriptions: 'cancel-now', customer: 'delete' },
      orphan: { subscriptions: 'cancel-now' },
    });
  });

  it('reads an object (cdk.json) or JSON (-c accountDeletion=...), each key optional', () => {
    const fromFile = parseStageConfig({
      stage: 'dev',
      stageOverrides: { accountDeletion: { customer: 'anonymise', subscriptions: 'cancel-at-period-end' } },
    });
    const fromFlag = parseStageConfig({
      stage: 'dev',
      overrides: { accountDeletion: '{"orphanSubscriptions":"keep"}' },
    });
    expect(fromFile.accountDeletion.user).toEqual({ subscriptions: 'cancel-at-period-end', customer: 'anonymise' });
    expect(fromFlag.accountDeletion).toEqual({
      user: { subscriptions: 'cancel-now', customer: 'delete' },
      orphan: { subscriptions: 'keep' },
    });
  });

  it.each([
    [{ subscriptions: 'cancel-at-period-end' }, /needs the customer kept \(anonymise\)/],
    [{ customer: 'archive' }, /accountDeletion\.customer/],
    [{ orphans: 'keep' }, /accountDeletion/],
  ])('rejects %j', (accountDeletion, message) => {
    expect(() => parseStageConfig({ stage: 'dev', overrides: { accountDeletion } })).toThrow(message);
  });
});

describe('reconcile functions and account deletion', () => {
  const testApp = createTestApp({
    stage: 'dev',
    overrides: { accountDeletion: { customer: 'anonymise', orphanSubscriptions: 'keep' } },
  });
  const template = templateOf(testApp.api);
  const reconcile = testApp.api.node.findChild('Reconcile') as Reconcile;
  const logicalId = (fn: AppFunction) => testApp.api.getLogicalId(fn.fn.node.defaultChild as never);
  const statementsOf = (fn: AppFunction): Statement[] => {
    const roleId = testApp.api.getLogicalId(fn.role.node.defaultChild as never);
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  };
  const actionsOn = (fn: AppFunction, resource: string) =>
    statementsOf(fn)
      .filter((s) => JSON.stringify(s.Resource).includes(resource))
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

  it.each(['scheduled', 'admin'] as const)('the %s Lambda gets the settings and what deleting needs', (which) => {
    const fn = reconcile[which];
    const variables = (
      template.toJSON().Resources[logicalId(fn)] as { Properties: { Environment: { Variables: object } } }
    ).Properties.Environment.Variables;
    expect(variables).toMatchObject({
      ACCOUNT_DELETION_SUBSCRIPTIONS: 'cancel-now',
      ACCOUNT_DELETION_CUSTOMER: 'anonymise',
      ORPHAN_SUBSCRIPTIONS: 'keep',
    });
    expect(actionsOn(fn, 'UserProfilesTable')).toContain('dynamodb:DeleteItem');
    expect(actionsOn(fn, 'EntitlementsTable')).toContain('dynamodb:DeleteItem');
    expect(actionsOn(fn, 'AuditLogTable')).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']));
    expect(actionsOn(fn, 'AuditLogTable')).not.toContain('dynamodb:DeleteItem');
    expect(actionsOn(fn, 'UserPool')).toContain('cognito-idp:AdminDeleteUser');
  });
});

describe('AccountApi: DELETE /account', () => {
  const testApp = createTestApp({ stage: 'dev', overrides: { accountDeletion: { subscriptions: 'cancel-now' } } });
  const template = templateOf(testApp.api);
  const account = testApp.api.node.findChild('AccountApi') as AccountApi;
  const fn = account.deleteAccount;
  const logicalId = testApp.api.getLogicalId(fn.fn.node.defaultChild as never);
  const statements = (() => {
    const roleId = testApp.api.getLogicalId(fn.role.node.defaultChild as never);
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  })();
  const actionsOn = (resource: string) =>
    statements
      .filter((s) => JSON.stringify(s.Resource).includes(resource))
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .sort();

  it('is served behind the Cognito JWT authorizer', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'DELETE /account',
      AuthorizationType: 'JWT',
    });
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).filter((i) =>
      JSON.stringify(i.Properties.IntegrationUri).includes(logicalId),
    );
    expect(integrations).toHaveLength(1);
  });

  it('may touch only the caller rows, the tombstones, the Stripe key and AdminDeleteUser', () => {
    expect(actionsOn('UserProfilesTable')).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOn('EntitlementsTable')).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem']);
    expect(actionsOn('AuditLogTable')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(actionsOn('WebhookEvents')).toEqual([]);
    expect(actionsOn('ParkedEvents')).toEqual([]);
    expect(actionsOn('UserPool')).toEqual(['cognito-idp:AdminDeleteUser']);
    expect(
      statements.filter((s) => ([] as string[]).concat(s.Action).includes('secretsmanager:GetSecretValue')),
    ).toHaveLength(1);
    expect(
      statements
        .flatMap((s) => ([] as string[]).concat(s.Action))
        .some((a) => a.includes('Scan') || a.includes('Query')),
    ).toBe(false);
  });

  it('gets the stage settings and only the variables its contract names', () => {
    const variables = (
      template.toJSON().Resources[logicalId] as { Properties: { Environment: { Variables: Record<string, unknown> } } }
    ).Properties.Environment.Variables;
    expect(variables).toMatchObject({
      ACCOUNT_DELETION_SUBSCRIPTIONS: 'cancel-now',
      ACCOUNT_DELETION_CUSTOMER: 'delete',
      ORPHAN_SUBSCRIPTIONS: 'cancel-now',
    });
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining([
        'USER_PROFILES_TABLE',
        'ENTITLEMENTS_TABLE',
        'AUDIT_TABLE',
        'STRIPE_SECRET_ARN',
        'USER_POOL_ID',
      ]),
    );
    expect(Object.keys(variables)).not.toContain('WEBHOOK_EVENTS_TABLE');
    expect(Object.keys(variables)).not.toContain('STRIPE_WEBHOOK_SECRET_ARN');
  });
});
