import type { Clock } from '../core/ports';
import type { CONTRACTS } from '../shared/contracts';
import type { Runtime } from '../shared/runtime';
import type { ReconcileDeps, ReconcileMetrics } from '../use-cases/reconcile';
import { retryAllParkedEvents, retryParkedEventsForCustomer } from '../use-cases/retry-parked-events';
import { DynamoAuditLog } from './audit-log';
import type { BackoffOptions } from './backoff';
import { CognitoGroupMembers } from './cognito-group-members';
import { CognitoGroupGateway } from './cognito-groups';
import { CognitoUserDirectory } from './cognito-users';
import { DynamoEntitlementStore } from './entitlement-store';
import { DynamoParkedEventStore } from './parked-events';
import { DynamoProfileStore } from './profile-store';
import { AwsReconcileSource } from './reconcile-source';
import { DynamoReconcileStateStore } from './reconcile-state';
import { StripeCustomerGateway } from './stripe-customers';
import { StripeListing } from './stripe-listing';
import { StripeSubscriptionSource } from './stripe-subscriptions';

export interface ReconcileWiringOptions {
  clock: Clock;
  metrics?: ReconcileMetrics;
  backoff?: BackoffOptions;
  concurrency?: number;
}

/**
 * Builds the reconcile use case's dependencies from a Runtime: the one composition shared by the scheduled
 * Lambda, the admin Lambda and the CLI, so all three run exactly the same code against the same adapters.
 */
export async function reconcileDepsFromRuntime(
  runtime: Runtime<typeof CONTRACTS.reconcileScheduled>,
  options: ReconcileWiringOptions,
): Promise<ReconcileDeps & { state: DynamoReconcileStateStore }> {
  const { ddb, tables, catalog } = runtime;
  // The SDK retries network errors; 429s are retried by our own backoff around each page.
  const stripe = await runtime.stripe({ timeoutMs: 20_000, maxNetworkRetries: 2 });
  const groups = new CognitoGroupGateway(runtime.cognito, runtime.userPoolId);
  const profiles = new DynamoProfileStore(ddb, tables.USER_PROFILES_TABLE);
  const entitlements = new DynamoEntitlementStore(ddb, tables.ENTITLEMENTS_TABLE);
  const parked = new DynamoParkedEventStore(ddb, tables.PARKED_EVENTS_TABLE);
  const audit = new DynamoAuditLog(ddb, tables.AUDIT_TABLE);
  const policy = {
    gracePeriodDays: runtime.policy.GRACE_PERIOD_DAYS,
    revokeOnDispute: runtime.policy.REVOKE_ON_DISPUTE,
  };
  const writer = { entitlements, profiles, groups, audit, catalog, policy, clock: options.clock };
  const eventDeps = { ...writer, stripe: new StripeSubscriptionSource(stripe), parked };
  return {
    ...writer,
    customers: new StripeCustomerGateway(stripe),
    source: new AwsReconcileSource({
      directory: new CognitoUserDirectory(runtime.cognito, runtime.userPoolId),
      members: new CognitoGroupMembers(runtime.cognito, runtime.userPoolId, options.backoff),
      groups,
      ddb,
      tables: { profiles: tables.USER_PROFILES_TABLE, entitlements: tables.ENTITLEMENTS_TABLE },
      stripe: new StripeListing(stripe, options.backoff),
      parked,
      ...(options.backoff ? { backoff: options.backoff } : {}),
    }),
    state: new DynamoReconcileStateStore(ddb, tables.RECONCILE_STATE_TABLE),
    parked: {
      all: () => retryAllParkedEvents(eventDeps),
      forCustomer: (customerId) => retryParkedEventsForCustomer(eventDeps, customerId),
    },
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  };
}
