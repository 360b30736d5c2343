import { Duration, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { RECONCILE_METRICS } from '../../lambdas/ports/reconcile-ports';
import { AlarmTopic, countAlarm } from '../alarms';
import {
  addLogSignalFilter,
  LOG_SIGNALS,
  type LogSignalKey,
  logSignalMetric,
  logSignalRatePerSecond,
} from '../log-signals';
import type { ApiStack } from '../stacks/api-stack';
import type { AccountApi } from './account-api';
import type { AppFunction } from './app-function';
import type { CognitoTriggers } from './cognito-triggers';
import type { FrontendApi } from './frontend-api';
import type { Reconcile } from './reconcile';
import type { StripeWebhook } from './stripe-webhook';

export interface OperationsProps {
  /** The stack the topic, the alarms and the dashboard live in. */
  readonly api: ApiStack;
  readonly webhook: StripeWebhook;
  readonly reconcile: Reconcile;
  readonly frontend: FrontendApi;
  readonly account: AccountApi;
  /** In the Auth stack: their log-metric filters are created there, their metrics are read across stacks. */
  readonly triggers: CognitoTriggers;
}

/**
 * PreSignUp throws to refuse a sign-up (duplicate email, invalid address), which Lambda counts as an error: a few
 * per 5 minutes are users, a burst is an outage or someone probing. Dependency failures have their own alarm
 * (SignUpFailures), which fires on the first one.
 */
const PRE_SIGN_UP_ERRORS_THRESHOLD = 10;

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What an operator watches: the stage's alarm topic, the alarms not owned by a feature construct (Reconcile owns
 * its own), the log-metric filters they read (lib/log-signals.ts), and one dashboard.
 *
 * Alarms: failed webhook deliveries (answered 500/503, so Lambda `Errors` misses them), webhook errors (timeouts,
 * crashes) and throttles, group-sync failures anywhere, unmapped prices, unfit (parked) Stripe events, sign-up
 * dependency failures, Cognito
 * trigger errors and throttles. Every alarm of the stack notifies the topic (the `NotifyAlarmTopic` aspect that
 * lib/app-stacks.ts applies).
 */
export class Operations extends Construct {
  readonly alarmTopic: AlarmTopic;
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { api, webhook, reconcile, frontend, triggers, account } = props;
    const { config } = api;
    const stage = config.stage;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { config });

    const filters: [AppFunction, LogSignalKey[]][] = [
      [
        webhook.function,
        [
          'webhookFailures',
          'groupSyncFailures',
          'groupChangesForMissingUsers',
          'unmappedPrices',
          'unfitStripeEvents',
          'webhookEvents',
        ],
      ],
      [
        reconcile.scheduled,
        ['groupSyncFailures', 'groupChangesForMissingUsers', 'unmappedPrices', 'accountDeletionFailures'],
      ],
      [
        reconcile.admin,
        ['groupSyncFailures', 'groupChangesForMissingUsers', 'unmappedPrices', 'accountDeletionFailures'],
      ],
      [account.deleteAccount, ['accountDeletionFailures']],
      [frontend.functions.status, ['groupSyncFailures']],
      [frontend.functions.trial, ['groupSyncFailures']],
      [triggers.preSignUp, ['signUpFailures']],
      [triggers.postConfirmation, ['signUpFailures']],
    ];
    for (const [fn, keys] of filters) {
      for (const key of keys) addLogSignalFilter(fn, fn.logGroup, key, stage);
    }

    const webhookFn = webhook.function.fn;
    const signalAlarm = (id: string, key: LogSignalKey, what: string) =>
      countAlarm(this, id, {
        description: `${LOG_SIGNALS[key].description} (${stage}). ${what}`,
        metric: logSignalMetric(key, stage, FIVE_MINUTES),
      });
    const alarms: Record<string, cloudwatch.Alarm> = {
      webhookFailures: signalAlarm(
        'WebhookDeliveryFailures',
        'webhookFailures',
        'Webhook logs: "Stripe webhook delivery failed" (with the failing dependency) or "signing secret is not set".',
      ),
      webhookErrors: countAlarm(this, 'WebhookErrors', {
        description: `The Stripe webhook Lambda (${stage}) crashed or timed out: Stripe retries; see its logs`,
        metric: webhookFn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      }),
      webhookThrottles: countAlarm(this, 'WebhookThrottles', {
        description: `The Stripe webhook Lambda (${stage}) was throttled (reserved concurrency or account limit): Stripe retries`,
        metric: webhookFn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      }),
      groupSyncFailures: signalAlarm(
        'GroupSyncFailures',
        'groupSyncFailures',
        'Groups converge on the next delivery, status read or reconcile run; a steady rate means Cognito refuses.',
      ),
      groupChangesForMissingUsers: signalAlarm(
        'GroupChangesForMissingUsers',
        'groupChangesForMissingUsers',
        'Webhook or reconcile logs: "Cognito user not found; group change skipped" (sub, username). The account was ' +
          'deleted in Cognito while its profile, entitlement or Stripe subscription lives on: the scheduled reconcile ' +
          'finishes the deletion (rows, customer) per orphanSubscriptions; check the subscription is not still billing.',
      ),
      unmappedPrices: signalAlarm(
        'UnmappedPrices',
        'unmappedPrices',
        'Add the price (lookup_key or metadata.plan) to the plan catalog, then run reconcile.',
      ),
      unfitStripeEvents: signalAlarm(
        'UnfitStripeEvents',
        'unfitStripeEvents',
        'Webhook logs: "Stripe event parked: it does not fit the schema" names the event and the field that failed. ' +
          'Fix the schema (lambdas/domain/stripe-object-schemas.ts) and deploy: the scheduled reconcile then applies ' +
          'the parked events (ParkedEvents, reason unfit).',
      ),
      signUpFailures: signalAlarm(
        'SignUpFailures',
        'signUpFailures',
        'Trigger logs: duplicate lookup failed (sign-up refused), federated linking failed, or Stripe customer creation failed.',
      ),
      accountDeletionFailures: signalAlarm(
        'AccountDeletionFailures',
        'accountDeletionFailures',
        'Logs of DELETE /account or reconcile: "Account deletion failed part-way" (sub, trigger, failing dependency). ' +
          "The profile stays marked: the user's retry or the next reconcile run finishes it; a steady rate means a " +
          'dependency refuses.',
      ),
      preSignUpErrors: countAlarm(this, 'PreSignUpErrors', {
        description:
          `Pre-Signup (${stage}) failed ${PRE_SIGN_UP_ERRORS_THRESHOLD}+ times in 5 minutes. Refused duplicate ` +
          'sign-ups count too; this many means an outage or probing',
        metric: triggers.preSignUp.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        threshold: PRE_SIGN_UP_ERRORS_THRESHOLD,
      }),
      postConfirmationErrors: countAlarm(this, 'PostConfirmationErrors', {
        description: `Post-Confirmation (${stage}) failed: the user is confirmed but may lack a profile until reconcile`,
        metric: triggers.postConfirmation.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      }),
      preSignUpThrottles: countAlarm(this, 'PreSignUpThrottles', {
        description: `Pre-Signup (${stage}) was throttled: sign-ups fail`,
        metric: triggers.preSignUp.fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      }),
      postConfirmationThrottles: countAlarm(this, 'PostConfirmationThrottles', {
        description: `Post-Confirmation (${stage}) was throttled: confirmations fail until Cognito's retry passes`,
        metric: triggers.postConfirmation.fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      }),
    };
    this.alarms = alarms;

    this.dashboard = this.buildDashboard(props, [...Object.values(alarms), ...reconcile.alarms]);
  }

  private buildDashboard(props: OperationsProps, alarms: cloudwatch.Alarm[]): cloudwatch.Dashboard {
    const { api, webhook, reconcile, triggers } = props;
    const stage = api.config.stage;
    const webhookFn = webhook.function.fn;
    const sum = { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM };
    const reconcileMetric = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: RECONCILE_METRICS.namespace,
        metricName,
        dimensionsMap: { service: RECONCILE_METRICS.service, stage },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.hours(1),
        label,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
    });
    // cfn-lint's schema (1.51) has no Tags on AWS::CloudWatch::Dashboard: keep the stack tags off it.
    for (const key of ['app', 'stage']) Tags.of(dashboard).remove(key);
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: `Alarms (${stage})`, alarms, width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      graph('Stripe webhook: invocations, errors, throttles', [
        webhookFn.metricInvocations({ ...sum, label: 'Invocations' }),
        webhookFn.metricErrors({ ...sum, label: 'Errors' }),
        webhookFn.metricThrottles({ ...sum, label: 'Throttles' }),
      ]),
      graph('Stripe webhook: duration (ms)', [
        webhookFn.metricDuration({ period: FIVE_MINUTES, statistic: 'p50', label: 'p50' }),
        webhookFn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: 'p99' }),
        webhookFn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM, label: 'max' }),
      ]),
      graph('Failures answered, not thrown (from logs)', [
        ...(
          [
            'webhookFailures',
            'groupSyncFailures',
            'unmappedPrices',
            'unfitStripeEvents',
            'signUpFailures',
            'accountDeletionFailures',
          ] as const
        ).map((key) => logSignalMetric(key, stage).with({ label: LOG_SIGNALS[key].metricName })),
      ]),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Stripe webhook: events per second by type (answered 200)',
        left: [logSignalRatePerSecond('webhookEvents', stage, Duration.minutes(1))],
        leftYAxis: { label: 'events/s', showUnits: false, min: 0 },
        width: 24,
        height: 6,
      }),
    );
    dashboard.addWidgets(
      graph('Reconcile: scheduled runs', [
        reconcileMetric(RECONCILE_METRICS.scheduledRunsCompleted, 'completed'),
        reconcile.scheduled.fn.metricInvocations({ period: Duration.hours(1), label: 'invocations' }),
        reconcile.scheduled.fn.metricErrors({ period: Duration.hours(1), label: 'errors' }),
      ]),
      graph('Reconcile: repairs and parked events', [
        reconcileMetric('ReconcileRepairsApplied', 'repairs applied'),
        reconcileMetric(RECONCILE_METRICS.repairsFailed, 'repairs failed'),
        reconcileMetric(RECONCILE_METRICS.parkedEventsAtCompletion, 'parked events'),
      ]),
      graph('Reconcile dead letters; API 5xx', [
        reconcile.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: cloudwatch.Stats.MAXIMUM,
          label: 'dead letters',
        }),
        api.httpApi.metricServerError({ ...sum, label: 'API 5xx' }),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Cognito triggers: invocations, errors, throttles',
        [triggers.preSignUp, triggers.postConfirmation].flatMap((trigger) => {
          const name = trigger.node.id;
          return [
            trigger.fn.metricInvocations({ ...sum, label: `${name} invocations` }),
            trigger.fn.metricErrors({ ...sum, label: `${name} errors` }),
            trigger.fn.metricThrottles({ ...sum, label: `${name} throttles` }),
          ];
        }),
        12,
      ),
      graph(
        'Cognito triggers: duration p99 (ms, limit 5000)',
        [triggers.preSignUp, triggers.postConfirmation].map((trigger) =>
          trigger.fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: trigger.node.id }),
        ),
        12,
      ),
    );
    return dashboard;
  }
}
