import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * Failures the Lambdas answer rather than throw, counted from the log lines they already write (CloudWatch Logs
 * metric filters on the functions' JSON logs). Lambda `Errors` only counts thrown errors: the webhook answers 500 so
 * Stripe retries, reconcile counts a failed repair and goes on, the status route serves the stored state, so none
 * of them reaches `Errors`.
 *
 * Why log metric filters rather than a metric each handler emits: every one of these failures is already logged
 * exactly once, at the place that decides it is a failure, with the fields an operator needs; a filter counts that
 * very line without another port, adapter and flush in the hot path of four handlers. The price is that the filter
 * is tied to the message text: `test/infra/operations.test.ts` fails when a message below is no longer in lambdas/.
 *
 * Powertools Logger writes one JSON object per line with `level`, `message` and the extra keys at the top level.
 */

export interface LogMatch {
  /** The exact `message` of the log line. */
  readonly message: string;
  /** Extra top-level keys the line must carry with these values. */
  readonly fields?: Readonly<Record<string, string>>;
}

export interface LogSignal {
  readonly metricName: string;
  readonly description: string;
  /** A line matching any of these counts 1. */
  readonly matches: readonly LogMatch[];
  /**
   * Dimensions taken from the line's JSON fields (`{ EventType: '$.eventType' }`): one metric per value, read with
   * `logSignalSearch` (a dimensioned metric has no dimensionless aggregate). Keep the values few and bounded.
   */
  readonly dimensions?: Readonly<Record<string, string>>;
}

const WEBHOOK_FAILED = 'Stripe webhook delivery failed; Stripe will retry';

export const LOG_SIGNALS = {
  webhookFailures: {
    metricName: 'WebhookDeliveryFailures',
    description:
      'Stripe deliveries answered 500/503 (Stripe retries them for up to 3 days, then disables the endpoint)',
    matches: [{ message: WEBHOOK_FAILED }, { message: 'Stripe webhook signing secret is not set; Stripe will retry' }],
  },
  groupSyncFailures: {
    metricName: 'GroupSyncFailures',
    description: 'Cognito group changes that failed (webhook, reconcile repair, status route, trial)',
    matches: [
      { message: WEBHOOK_FAILED, fields: { dependency: 'cognito' } },
      { message: 'reconcile repair failed', fields: { action: 'sync-groups' } },
      { message: 'Healing the caller failed; serving the stored status', fields: { dependency: 'cognito' } },
      { message: 'Dependency unavailable', fields: { dependency: 'cognito' } },
    ],
  },
  groupChangesForMissingUsers: {
    metricName: 'GroupChangesForMissingUsers',
    description:
      'Entitlement changes applied for a user whose Cognito account no longer exists: the records were written, ' +
      'the group change was skipped (the webhook answered 200)',
    matches: [{ message: 'Cognito user not found; group change skipped' }],
  },
  unmappedPrices: {
    metricName: 'UnmappedPrices',
    description:
      'Subscriptions on a price the plan catalog does not know (they grant nothing, or keep their last known plan)',
    matches: [
      { message: 'configuration error: subscription price is not in the plan catalog, it grants nothing' },
      { message: 'configuration error: subscription price is not in the plan catalog, its last known plan is kept' },
    ],
  },
  unfitStripeEvents: {
    metricName: 'UnfitStripeEvents',
    description:
      'Validly signed Stripe events of a handled type whose object our schema cannot read: parked (answered 200), ' +
      'applied by the scheduled reconcile once a deploy can read them',
    matches: [{ message: 'Stripe event parked: it does not fit the schema' }],
  },
  signUpFailures: {
    metricName: 'SignUpFailures',
    description: 'Sign-ups refused or left incomplete by a dependency failure in the Cognito triggers',
    matches: [
      { message: 'Duplicate-email lookup failed; refusing sign-up (fail closed)' },
      { message: 'Linking the federated identity failed' },
      { message: 'Stripe customer creation failed; profile written without a customer id' },
    ],
  },
  accountDeletionFailures: {
    metricName: 'AccountDeletionFailures',
    description:
      'Account deletions that failed part-way (DELETE /account answered 503/500, or reconcile could not finish one)',
    matches: [{ message: 'Account deletion failed part-way; a retry or reconcile finishes it' }],
  },
  webhookEvents: {
    metricName: 'WebhookEvents',
    description: 'Validly signed Stripe events answered 200 (applied, ignored or duplicate), by event type',
    matches: [{ message: 'Stripe event answered' }],
    dimensions: { EventType: '$.eventType' },
  },
} as const satisfies Record<string, LogSignal>;

export type LogSignalKey = keyof typeof LOG_SIGNALS;

/** Log-derived metrics carry no dimension (a filter cannot add a constant one): the stage is in the namespace. */
export function logSignalNamespace(stage: string): string {
  return `Entitlements/${stage}`;
}

export function filterPatternOf(signal: LogSignal): logs.IFilterPattern {
  const patterns = signal.matches.map((match) =>
    logs.FilterPattern.all(
      logs.FilterPattern.stringValue('$.message', '=', match.message),
      ...Object.entries(match.fields ?? {}).map(([key, value]) =>
        logs.FilterPattern.stringValue(`$.${key}`, '=', value),
      ),
    ),
  );
  const [first, ...rest] = patterns;
  if (!first) throw new Error(`log signal ${signal.metricName} has no match`);
  return rest.length === 0 ? first : logs.FilterPattern.any(first, ...rest);
}

/** Counts the signal's lines in one log group (a function's), into the stage's namespace. */
export function addLogSignalFilter(
  scope: Construct,
  logGroup: logs.ILogGroup,
  key: LogSignalKey,
  stage: string,
): logs.MetricFilter {
  const signal: LogSignal = LOG_SIGNALS[key];
  return new logs.MetricFilter(scope, `${signal.metricName}Filter`, {
    logGroup,
    filterPattern: filterPatternOf(signal),
    metricNamespace: logSignalNamespace(stage),
    metricName: signal.metricName,
    metricValue: '1',
    unit: cloudwatch.Unit.COUNT,
    ...(signal.dimensions ? { dimensions: { ...signal.dimensions } } : {}),
  });
}

/** The signal's count summed over every log group that has its filter. */
export function logSignalMetric(key: LogSignalKey, stage: string, period = Duration.minutes(5)): cloudwatch.Metric {
  const signal = LOG_SIGNALS[key];
  return new cloudwatch.Metric({
    namespace: logSignalNamespace(stage),
    metricName: signal.metricName,
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

/**
 * A dimensioned signal as one time series per dimension value, per second: a SEARCH over the stage's namespace
 * (summed per `period`, divided by its seconds). For graphs only: CloudWatch alarms cannot evaluate SEARCH.
 */
export function logSignalRatePerSecond(
  key: LogSignalKey,
  stage: string,
  period = Duration.minutes(1),
): cloudwatch.MathExpression {
  const signal: LogSignal = LOG_SIGNALS[key];
  const dimensions = Object.keys(signal.dimensions ?? {});
  if (dimensions.length === 0) throw new Error(`log signal ${signal.metricName} has no dimension to search by`);
  const schema = [logSignalNamespace(stage), ...dimensions].map((part) => `"${part}"`).join(',');
  const seconds = period.toSeconds();
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${signal.metricName}"', 'Sum', ${seconds}) / ${seconds}`,
    usingMetrics: {},
    period,
    // A CloudWatch dynamic label: each series is named by its first dimension's value (the event type).
    label: `\${PROP('Dim.${dimensions[0]}')}`,
  });
}
