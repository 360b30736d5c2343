import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { RECONCILE_METRICS } from '../../lambdas/ports/reconcile-ports';
import { ROUTES } from '../route-table';
import type { ApiStack } from '../stacks/api-stack';
import { AppFunction } from './app-function';

export interface ReconcileProps {
  readonly api: ApiStack;
}

/**
 * Reconcile: a scheduled Lambda (EventBridge rule at the stage's `reconcileSchedule`, hourly by default) that
 * applies repairs, and one admin Lambda behind GET /admin/sync-health and POST /admin/reconcile (JWT; the handler
 * requires the `admins` group). Both run the same use case with the same least-privilege grants. Alarms fire on
 * any failed repair (the use case's metric) and on a scheduled run that failed outright.
 */
export class Reconcile extends Construct {
  readonly scheduled: AppFunction;
  readonly admin: AppFunction;
  readonly rule: events.Rule;
  readonly repairFailuresAlarm: cloudwatch.Alarm;
  readonly scheduledErrorsAlarm: cloudwatch.Alarm;

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
    }).useContract(CONTRACTS.reconcileScheduled, resources);
    this.admin = new AppFunction(this, 'Admin', {
      entry: ROUTES.adminReconcile.entry,
      config,
      serviceName: RECONCILE_METRICS.service,
      description: 'GET /admin/sync-health and POST /admin/reconcile (admins only)',
      // API Gateway gives an integration 30 s; the handler stops its work at 20 s and says how to continue.
      timeout: Duration.seconds(29),
      memorySize: 1024,
    }).useContract(CONTRACTS.adminReconcile, resources);

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Reconcile (${config.stage}) on ${config.reconcileSchedule}`,
      schedule: events.Schedule.expression(config.reconcileSchedule),
    });
    // No retries: a failed run is repeated by the next schedule, and the lease makes overlap harmless anyway.
    this.rule.addTarget(new targets.LambdaFunction(this.scheduled.fn, { retryAttempts: 0 }));

    for (const route of [ROUTES.syncHealth, ROUTES.adminReconcile]) {
      api.addLambdaRoute({ path: route.path, method: HttpMethod[route.method], fn: this.admin.fn, auth: 'jwt' });
    }

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
  }
}
