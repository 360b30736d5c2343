import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import type { AppFunction } from '../../lib/constructs/app-function';
import type { Reconcile } from '../../lib/constructs/reconcile';
import { TABLES, type TableKey } from '../../lib/table-definitions';
import { createTestApp, findSecretsInLambdaEnvironments, templateOf } from './support';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

describe('Reconcile construct', () => {
  const testApp = createTestApp();
  const template = templateOf(testApp.api);
  const reconcile = testApp.api.node.findChild('Reconcile') as Reconcile;
  const logicalId = (fn: AppFunction) => testApp.api.getLogicalId(fn.fn.node.defaultChild as never);

  function statementsOf(fn: AppFunction): Statement[] {
    const roleId = testApp.api.getLogicalId(fn.role.node.defaultChild as never);
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  }
  const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const grantsOn = (fn: AppFunction, key: TableKey) =>
    statementsOf(fn)
      .filter((s) => JSON.stringify(s.Resource).includes(`${TABLES[key].localName}Table`))
      .flatMap(actions);

  it('runs the scheduled Lambda hourly by default, without retries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [
        { Arn: { 'Fn::GetAtt': [logicalId(reconcile.scheduled), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 900,
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'reconcile' } },
    });
  });

  it('takes the schedule from the stage config', () => {
    const custom = createTestApp({
      stage: 'qa',
      overrides: { reconcileSchedule: 'rate(15 minutes)', allowedOrigins: 'https://qa.example.com' },
    });
    templateOf(custom.api).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  it('alarms on failed repairs (the use case metric) and on failed scheduled runs', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Entitlements',
      MetricName: 'ReconcileRepairsFailed',
      Dimensions: [
        { Name: 'service', Value: 'reconcile' },
        { Name: 'stage', Value: 'dev' },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(reconcile.scheduled) } }],
    });
  });

  it('serves GET /admin/sync-health, POST /admin/reconcile and the override routes behind the JWT authorizer, from one Lambda', () => {
    for (const routeKey of [
      'GET /admin/sync-health',
      'POST /admin/reconcile',
      'POST /admin/overrides',
      'DELETE /admin/overrides',
    ]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey, AuthorizationType: 'JWT' });
    }
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).filter((i) =>
      JSON.stringify(i.Properties.IntegrationUri).includes(logicalId(reconcile.admin)),
    );
    expect(integrations.length).toBeGreaterThanOrEqual(1);
  });

  it.each(['scheduled', 'admin'] as const)('grants the %s Lambda least privilege', (which) => {
    const fn = reconcile[which];
    const statements = statementsOf(fn);
    const cognito = statements.filter((s) => actions(s).some((a) => a.startsWith('cognito-idp:')));
    expect(cognito.flatMap(actions).sort()).toEqual(
      CONTRACTS.reconcileScheduled.userPool?.actions.map((a) => `cognito-idp:${a}`).sort(),
    );
    expect(JSON.stringify(cognito.map((s) => s.Resource))).toContain('UserPool');
    // Only X-Ray tracing (which has no resource-level permissions) may use a wildcard.
    const wildcard = statements.filter((s) => JSON.stringify(s.Resource).includes('"*"') || s.Resource === '*');
    expect(wildcard.flatMap(actions).every((a) => a.startsWith('xray:'))).toBe(true);
    for (const [key, granted] of Object.entries(CONTRACTS.reconcileScheduled.tables)) {
      const tableLevel = granted.filter((a) => !a.startsWith('Query')).map((a) => `dynamodb:${a}`);
      expect(grantsOn(fn, key as TableKey)).toEqual(expect.arrayContaining(tableLevel));
    }
    expect(grantsOn(fn, 'userProfiles')).toContain('dynamodb:Scan');
    expect(grantsOn(fn, 'reconcileState')).not.toContain('dynamodb:Scan');
    expect(JSON.stringify(statements)).toContain('/index/CustomerIndex');
    expect(grantsOn(fn, 'auditLog')).not.toContain('dynamodb:Scan');
    expect(grantsOn(fn, 'auditLog')).toContain('dynamodb:PutItem');
    expect(grantsOn(fn, 'webhookEvents')).toEqual([]);
    expect(statements.filter((s) => actions(s).includes('secretsmanager:GetSecretValue'))).toHaveLength(1);
    const variables = Object.keys(
      (template.toJSON().Resources[logicalId(fn)] as { Properties: { Environment: { Variables: object } } }).Properties
        .Environment.Variables,
    );
    expect(variables).toEqual(expect.arrayContaining(['STRIPE_SECRET_ARN', 'USER_POOL_ID', 'RECONCILE_STATE_TABLE']));
    expect(variables).not.toContain('STRIPE_WEBHOOK_SECRET_ARN');
  });

  it('puts no secret in any Lambda environment', () => {
    expect(findSecretsInLambdaEnvironments(testApp.api)).toEqual([]);
  });
});
