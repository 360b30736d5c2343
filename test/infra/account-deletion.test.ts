import { describe, expect, it } from 'vitest';
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
