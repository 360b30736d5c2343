import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { RECONCILE_METRICS } from '../../lambdas/ports/reconcile-ports';
import { accountDeletionEnvironment } from '../account-deletion-env';
import { countAlarm } from '../alarms';
import { suppressDeadLetterQueueFindings } from '../nag-suppressions';
import { ROUTES } from '../route-table';
import type { ApiStack } from '../stacks/api-stack';
import { AppFunction } from './app-function';

export interface ReconcileProps {
  readonly api: ApiStack;
}

/**
 * Reconcile: a scheduled Lambda (EventBridge rule at the stage's `reconcileSchedule`, hourly by default) that
 * applies repairs, and one admin Lambda behind GET /admin/sync-health and POST /admin/reconcile (JWT; the handler
 * requires the `admins` group). Both run the same use case with the same least-privilege grants.
 *
 * The scheduled run is never retried (neither by EventBridge nor by Lambda's async retries): the next schedule
 * repeats it and resumes from the checkpoint. An event EventBridge could not deliver, and a run that failed outright,
 * land in an encrypted dead-letter queue. Alarms (all notify the stage's alarm topic, see lib/alarms.ts): a failed
 * repair, a run that failed outright, anything in the dead-letter queue, no scheduled run completed within
 * `reconcileOverdueMinutes`, and parked webhook events that every completed run for `parkedEventsAlarmHours` found.
 */
export class Reconcile extends Construct {
  readonly scheduled: AppFunction;
  readonly admin: AppFunction;
  readonly rule: events.Rule;
  /** Scheduled events EventBridge could not deliver and scheduled runs that failed outright. */
  readonly deadLetterQueue: sqs.Queue;
  readonly repairFailuresAlarm: cloudwatch.Alarm;
  readonly scheduledErrorsAlarm: cloudwatch.Alarm;
  readonly overdueAlarm: cloudwatch.Alarm;
  readonly parkedEventsAlarm: cloudwatch.Alarm;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Every alarm above (the dashboard shows their state). */
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ReconcileProps) {
    super(scope, id);
    const { api } = props;
    const { config } = api;

    const resources = {
      tables: api.data.tables,
      secrets: { stripeApiKey: api.data.stripeSecrets.apiKey },
      userPool: api.userPool,
    };

    this.scheduled = new AppFunction(this, 'Scheduled', {
      entry: 'lambdas/handlers/reconcile-scheduled.ts',
      config,
      serviceName: RECONCILE_METRICS.service,
      description: `Scheduled reconcile (${config.reconcileSchedule}): repairs drift, resumes from its checkpoint`,
      // The handler stops starting batches 90 s before the limit and checkpoints; the next run resumes.
      timeout: Duration.minutes(15),
      memorySize: 1024,
      reservedConcurrentExecutions: config.reservedConcurrency.reconcile,
    }).useContract(CONTRACTS.reconcileScheduled, resources);
    this.admin = new AppFunction(this, 'Admin', {
      entry: ROUTES.adminReconcile.entry,
      config,
      serviceName: RECONCILE_METRICS.service,
      description: 'GET /admin/sync-health, POST /admin/reconcile, POST/DELETE /admin/overrides (admins only)',
      // API Gateway gives an integration 30 s; the handler stops its work at 20 s and says how to continue.
      timeout: Duration.seconds(29),
      memorySize: 1024,
    }).useContract(CONTRACTS.adminReconcile, resources);
    // Both finish unfinished account deletions and clean up orphans with the stage's settings.
    for (const fn of [this.scheduled, this.admin]) {
      for (const [name, value] of Object.entries(accountDeletionEnvironment(config))) fn.addEnvironment(name, value);
    }

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Reconcile (${config.stage}) on ${config.reconcileSchedule}`,
      schedule: events.Schedule.expression(config.reconcileSchedule),
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    suppressDeadLetterQueueFindings(this.deadLetterQueue);
    // No retries: a failed run is repeated by the next schedule, and the lease makes overlap harmless anyway.
    // EventBridge's retries cover delivery; Lambda's own async retries (2 by default) would rerun a failed run.
    this.rule.addTarget(
      new targets.LambdaFunction(this.scheduled.fn, { retryAttempts: 0, deadLetterQueue: this.deadLetterQueue }),
    );
    this.scheduled.fn.configureAsyncInvoke({
      retryAttempts: 0,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    for (const route of [ROUTES.syncHealth, ROUTES.adminReconcile, ROUTES.grantOverride, ROUTES.revokeOverride]) {
      api.addLambdaRoute({ path: route.path, method: HttpMethod[route.method], fn: this.admin.fn, auth: 'jwt' });
    }

    const reconcileMetric = (metricName: string, statistic: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: RECONCILE_METRICS.namespace,
        metricName,
        dimensionsMap: { service: RECONCILE_METRICS.service, stage: config.stage },
        statistic,
        period,
      });
    this.repairFailuresAlarm = new cloudwatch.Alarm(this, 'RepairFailures', {
      alarmDescription: `Reconcile (${config.stage}) could not repair some drift: see the reconcile logs for "reconcile repair failed"`,
      metric: new cloudwatch.Metric({
        namespace: RECONCILE_METRICS.namespace,
        metricName: RECONCILE_METRICS.repairsFailed,
        dimensionsMap: { service: RECONCILE_METRICS.service, stage: config.stage },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.hours(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.scheduledErrorsAlarm = new cloudwatch.Alarm(this, 'ScheduledRunErrors', {
      alarmDescription: `Scheduled reconcile (${config.stage}) failed outright (no report): see its logs`,
      metric: this.scheduled.fn.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const { reconcileOverdueMinutes, parkedEventsHours } = config.alarms;
    // One period as long as the allowed gap: no completed run in it (missing data included) is the alarm.
    this.overdueAlarm = countAlarm(this, 'Overdue', {
      description:
        `No scheduled reconcile (${config.stage}) completed in ${reconcileOverdueMinutes} minutes ` +
        `(schedule ${config.reconcileSchedule}): runs failing, stopping early every time, locked, or not triggered`,
      metric: reconcileMetric(
        RECONCILE_METRICS.scheduledRunsCompleted,
        cloudwatch.Stats.SUM,
        Duration.minutes(reconcileOverdueMinutes),
      ),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // Each completed run retries the parked events it finds: the minimum over the window is above 0 only when every
    // run in it still found some (the stage config makes the window span at least two runs).
    this.parkedEventsAlarm = countAlarm(this, 'ParkedEvents', {
      description:
        `Parked Stripe events (${config.stage}) were found by every completed reconcile run for ${parkedEventsHours} h: ` +
        'their customer resolves to no user. See docs/reconcile.md (parked events) and the ParkedEvents table',
      metric: reconcileMetric(
        RECONCILE_METRICS.parkedEventsAtCompletion,
        cloudwatch.Stats.MINIMUM,
        Duration.hours(parkedEventsHours),
      ),
    });
    this.deadLetterAlarm = countAlarm(this, 'DeadLetterMessages', {
      description:
        `A scheduled reconcile event (${config.stage}) was not delivered or its run failed outright: see the ` +
        'dead-letter queue messages and the reconcile logs',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
    });
    this.alarms = [
      this.repairFailuresAlarm,
      this.scheduledErrorsAlarm,
      this.overdueAlarm,
      this.parkedEventsAlarm,
      this.deadLetterAlarm,
    ];
  }
}
