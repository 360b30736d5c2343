import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import type { Operations } from '../../lib/constructs/operations';
import type { Reconcile } from '../../lib/constructs/reconcile';
import { LOG_SIGNALS, logSignalNamespace } from '../../lib/log-signals';
import { allStacks, createTestApp, templateOf } from './support';

type Resource = { Properties: Record<string, unknown> };
type DashboardWidget = { properties: { title?: string; metrics?: unknown[] } };

/** The dashboard body as CloudFormation renders it (Fn::Join of strings and tokens), tokens replaced by "X". */
function dashboardJson(dashboard: Resource | undefined): string {
  const body = dashboard?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] } | string;
  if (typeof body === 'string') return body;
  return body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'X')).join('');
}

const REPO = join(__dirname, '../..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return path.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('alarms reach someone', () => {
  const testApp = createTestApp();
  const api = templateOf(testApp.api);
  const operations = testApp.api.node.findChild('Operations') as Operations;
  const topicId = testApp.api.getLogicalId(operations.alarmTopic.topic.node.defaultChild as never);
  const alarms = api.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;

  it('every alarm of the app is in the Api stack and notifies the stage topic on ALARM and on OK', () => {
    expect(Object.keys(alarms).length).toBeGreaterThanOrEqual(15);
    for (const [id, alarm] of Object.entries(alarms)) {
      expect({ id, actions: alarm.Properties.AlarmActions }).toEqual({ id, actions: [{ Ref: topicId }] });
      expect({ id, ok: alarm.Properties.OKActions }).toEqual({ id, ok: [{ Ref: topicId }] });
    }
    for (const stack of [testApp.data, testApp.auth]) {
      expect(templateOf(stack).findResources('AWS::CloudWatch::Alarm')).toEqual({});
    }
  });

  it('an alarm created outside the Api stack fails synth instead of notifying nobody', () => {
    const other = createTestApp();
    new cloudwatch.Alarm(other.auth, 'Stray', {
      metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y', period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    Annotations.fromStack(other.auth).hasError('/dev-Auth/Stray', Match.stringLikeRegexp('where the alarm topic is'));
  });

  it('the topic is KMS-encrypted (a key CloudWatch may use), TLS-only, and publishable by this stack’s alarms only', () => {
    api.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    api.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    const policy = JSON.stringify(api.findResources('AWS::SNS::TopicPolicy'));
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('cloudwatch.amazonaws.com');
    expect(policy).toContain(':alarm:dev-Api-*');
    api.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('subscribes the stage’s alarm emails, and none when there are none', () => {
    expect(api.findResources('AWS::SNS::Subscription')).toEqual({});
    const prod = createTestApp({
      stage: 'prod',
      overrides: { allowedOrigins: 'https://app.example.com', alarmEmails: 'ops@example.com, oncall@example.com' },
    });
    const subscriptions = Object.values(templateOf(prod.api).findResources('AWS::SNS::Subscription')) as Resource[];
    expect(subscriptions.map((s) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([
      ['email', 'ops@example.com'],
      ['email', 'oncall@example.com'],
    ]);
  });

  it('warns when a non-dev stage has no alarm email', () => {
    const prod = createTestApp({ stage: 'prod', overrides: { allowedOrigins: 'https://app.example.com' } });
    Annotations.fromStack(prod.api).hasWarning('*', Match.stringLikeRegexp('has no alarmEmails'));
  });

  const alarmOn = (metricName: string, namespace?: string) =>
    Object.values(alarms).filter(
      (alarm) => alarm.Properties.MetricName === metricName && (!namespace || alarm.Properties.Namespace === namespace),
    );

  it.each([
    ['WebhookDeliveryFailures', logSignalNamespace('dev')],
    ['GroupSyncFailures', logSignalNamespace('dev')],
    ['GroupChangesForMissingUsers', logSignalNamespace('dev')],
    ['UnmappedPrices', logSignalNamespace('dev')],
    ['UnfitStripeEvents', logSignalNamespace('dev')],
    ['SignUpFailures', logSignalNamespace('dev')],
    ['AccountDeletionFailures', logSignalNamespace('dev')],
    ['ReconcileRepairsFailed', 'Entitlements'],
    ['ReconcileScheduledRunsCompleted', 'Entitlements'],
    ['ReconcileParkedEvents', 'Entitlements'],
    ['ApproximateNumberOfMessagesVisible', 'AWS/SQS'],
  ])('alarms on %s', (metricName, namespace) => {
    expect(alarmOn(metricName, namespace)).toHaveLength(1);
  });

  it('alarms on Errors and Throttles of the webhook and both Cognito triggers, and on failed scheduled runs', () => {
    // webhook, PreSignUp, PostConfirmation, scheduled reconcile
    expect(alarmOn('Errors', 'AWS/Lambda')).toHaveLength(4);
    expect(alarmOn('Throttles', 'AWS/Lambda')).toHaveLength(3);
  });

  it('the reconcile-overdue alarm treats no data as breaching, over the configured window', () => {
    const [overdue] = alarmOn('ReconcileScheduledRunsCompleted');
    expect(overdue?.Properties).toMatchObject({
      Statistic: 'Sum',
      Period: 120 * 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    const [parked] = alarmOn('ReconcileParkedEvents');
    expect(parked?.Properties).toMatchObject({
      Statistic: 'Minimum',
      Period: 6 * 3600,
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    const daily = createTestApp({ overrides: { reconcileSchedule: 'rate(1 day)' } });
    const dailyAlarms = Object.values(templateOf(daily.api).findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const periodOf = (name: string) => dailyAlarms.find((a) => a.Properties.MetricName === name)?.Properties.Period;
    expect(periodOf('ReconcileScheduledRunsCompleted')).toBe(2 * 86400);
    expect(periodOf('ReconcileParkedEvents')).toBe(2 * 86400);
  });

  it('counts each log signal on the log groups of the functions that write it', () => {
    const filters = [...allStacks(testApp)].flatMap(
      (stack) => Object.values(templateOf(stack).findResources('AWS::Logs::MetricFilter')) as Resource[],
    );
    const byMetric = new Map<string, number>();
    for (const filter of filters) {
      const [transformation] = filter.Properties.MetricTransformations as {
        MetricName: string;
        MetricNamespace: string;
      }[];
      expect(transformation?.MetricNamespace).toBe('Entitlements/dev');
      const name = transformation?.MetricName ?? '';
      byMetric.set(name, (byMetric.get(name) ?? 0) + 1);
    }
    expect(Object.fromEntries(byMetric)).toEqual({
      WebhookDeliveryFailures: 1,
      GroupSyncFailures: 5,
      GroupChangesForMissingUsers: 3,
      UnmappedPrices: 3,
      UnfitStripeEvents: 1,
      SignUpFailures: 2,
      WebhookEvents: 1,
      AccountDeletionFailures: 3,
    });
    api.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern:
        '{ ($.message = "Stripe webhook delivery failed; Stripe will retry") || ' +
        '($.message = "Stripe webhook signing secret is not set; Stripe will retry") }',
    });
  });

  it('counts answered webhook events per event type, from the line the webhook writes once per signed event', () => {
    api.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "Stripe event answered" }',
      MetricTransformations: [
        {
          MetricName: 'WebhookEvents',
          MetricNamespace: 'Entitlements/dev',
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [{ Key: 'EventType', Value: '$.eventType' }],
        },
      ],
    });
    const dashboards = Object.values(api.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    const widgets = (JSON.parse(dashboardJson(dashboards[0])) as { widgets: DashboardWidget[] }).widgets;
    const perType = widgets.find((widget) => widget.properties.title?.includes('events per second by type'));
    expect(perType?.properties.metrics).toEqual([
      [
        {
          expression: `SEARCH('{"Entitlements/dev","EventType"} MetricName="WebhookEvents"', 'Sum', 60) / 60`,
          label: `\${PROP('Dim.EventType')}`,
          period: 60,
        },
      ],
    ]);
  });

  it('counts failed account deletions on DELETE /account and both reconcile functions', () => {
    const functionOf = (logGroup: unknown) => JSON.stringify(logGroup).replace(/LogGroup[0-9A-F]+/, '');
    const groups = (Object.values(api.findResources('AWS::Logs::MetricFilter')) as Resource[])
      .filter((filter) => JSON.stringify(filter.Properties.MetricTransformations).includes('AccountDeletionFailures'))
      .map((filter) => functionOf(filter.Properties.LogGroupName))
      .sort();
    expect(groups).toHaveLength(3);
    expect(groups.join(' ')).toMatch(/DeleteAccount/);
    expect(groups.join(' ')).toMatch(/Admin/);
    expect(groups.join(' ')).toMatch(/Scheduled/);
  });

  it('every log line a filter counts is still written somewhere in lambdas/ (a renamed message fails here)', () => {
    const sources = sourcesUnder(join(REPO, 'lambdas')).join('\n');
    const messages = Object.values(LOG_SIGNALS).flatMap((signal) => signal.matches.map((match) => match.message));
    const missing = messages.filter((message) => !sources.includes(`'${message}'`));
    expect(missing).toEqual([]);
  });

  it('has one dashboard with the alarms, webhook duration and invocations, reconcile and triggers', () => {
    const dashboards = Object.values(api.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const text of [
      'alarms',
      'Duration',
      'Invocations',
      'ReconcileScheduledRunsCompleted',
      'ReconcileParkedEvents',
      'WebhookDeliveryFailures',
      'GroupSyncFailures',
      'ApproximateNumberOfMessagesVisible',
      'Throttles',
    ]) {
      expect({ text, found: body.includes(text) }).toEqual({ text, found: true });
    }
  });
});

describe('scheduled reconcile: no retries, a dead-letter queue', () => {
  const testApp = createTestApp();
  const api = templateOf(testApp.api);
  const reconcile = testApp.api.node.findChild('Reconcile') as Reconcile;
  const queueId = testApp.api.getLogicalId(reconcile.deadLetterQueue.node.defaultChild as never);
  const fnId = testApp.api.getLogicalId(reconcile.scheduled.fn.node.defaultChild as never);

  it('an encrypted, TLS-only queue keeping messages 14 days', () => {
    api.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    const policy = JSON.stringify(api.findResources('AWS::SQS::QueuePolicy'));
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('events.amazonaws.com');
  });

  it('EventBridge does not retry and dead-letters what it cannot deliver', () => {
    api.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 0 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        }),
      ],
    });
  });

  it('Lambda does not retry the async invocation and sends a failed run to the same queue', () => {
    api.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });
});
