import type { BackoffOptions } from '../adapters/backoff';
import { CognitoGroupMemberSource } from '../adapters/cognito/cognito-group-member-source';
import { CognitoGroupGateway } from '../adapters/cognito/cognito-groups';
import { CognitoUserDirectory } from '../adapters/cognito/cognito-users';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoOverrideDirectory } from '../adapters/dynamo/override-listing';
import { DynamoParkedEventStore } from '../adapters/dynamo/parked-events';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { DynamoReconcileStateStore } from '../adapters/dynamo/reconcile-state';
import { PowertoolsReconcileMetrics } from '../adapters/metrics/reconcile-metrics';
import { AwsReconcileSource } from '../adapters/reconcile-source';
import { StripeCustomerSource } from '../adapters/stripe/stripe-customer-source';
import { StripeCustomerGateway } from '../adapters/stripe/stripe-customers';
import { StripeSubscriptionSource } from '../adapters/stripe/stripe-subscriptions';
import type { AccountDeletionSettings } from '../domain/account-deletion';
import { accountDeletionSettingsFromEnv } from '../platform/account-deletion-config';
import { entitlementPolicyOf } from '../platform/config';
import type { CONTRACTS } from '../platform/contracts';
import type { Runtime } from '../platform/runtime';
import type { Clock } from '../ports/app-ports';
import type { OverrideDirectory } from '../ports/reconcile-ports';
import { type AdminAccess, createAdminAccess } from '../use-cases/identity/admin-access';
import type { AdminRouteDeps } from '../use-cases/reconcile/admin-runs';
import type { ReconcileDeps, ReconcileMetrics } from '../use-cases/reconcile/reconcile';
import type { EntitlementWriterDeps } from '../use-cases/webhook/entitlement-writer-types';
import { retryAllParkedEvents, retryParkedEventsForCustomer } from '../use-cases/webhook/retry-parked-events';
import { accountTombstones, deleteAccountDeps } from './account';

export interface ReconcileWiringOptions {
  clock: Clock;
  metrics?: ReconcileMetrics;
  backoff?: BackoffOptions;
  concurrency?: number;
  /** The stage's settings: orphans and unfinished deletions are repaired with them (without: only reported). */
  accountDeletion?: AccountDeletionSettings;
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
  const policy = entitlementPolicyOf(runtime.policy);
  const trialMarks = accountTombstones(runtime);
  const writer = { entitlements, profiles, groups, audit, catalog, policy, clock: options.clock, trialMarks };
  const eventDeps = { ...writer, stripe: new StripeSubscriptionSource(stripe), parked };
  return {
    ...writer,
    customers: new StripeCustomerGateway(stripe),
    source: new AwsReconcileSource({
      directory: new CognitoUserDirectory(runtime.cognito, runtime.userPoolId),
      members: new CognitoGroupMemberSource(runtime.cognito, runtime.userPoolId, options.backoff),
      groups,
      ddb,
      tables: { profiles: tables.USER_PROFILES_TABLE, entitlements: tables.ENTITLEMENTS_TABLE },
      stripe: new StripeCustomerSource(stripe, options.backoff),
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
    tombstones: accountTombstones(runtime),
    ...(options.accountDeletion
      ? {
          accounts: {
            settings: options.accountDeletion,
            deletion: deleteAccountDeps(runtime, options.clock, { timeoutMs: 20_000, maxNetworkRetries: 2 }),
          },
        }
      : {}),
  };
}

/**
 * The deployed reconcile's dependencies (system clock, CloudWatch metrics), built on first use and then kept: the
 * Stripe client needs the secret, which is read only when a run starts.
 */
export function deployedReconcileDeps(runtime: Runtime<typeof CONTRACTS.reconcileScheduled>, env: NodeJS.ProcessEnv) {
  let built: ReturnType<typeof reconcileDepsFromRuntime> | undefined;
  const accountDeletion = accountDeletionSettingsFromEnv(env);
  return () => {
    built ??= reconcileDepsFromRuntime(runtime, {
      clock: runtime.clock,
      metrics: new PowertoolsReconcileMetrics(runtime.policy.STAGE),
      accountDeletion,
    });
    return built;
  };
}

/** The admin routes' live membership check (one AdminListGroupsForUser per user, cached briefly per container). */
export function adminAccessFromRuntime(runtime: Runtime<typeof CONTRACTS.adminReconcile>): AdminAccess {
  return createAdminAccess({ groups: new CognitoGroupGateway(runtime.cognito, runtime.userPoolId) });
}

/** The entitlement write path for operator overrides: no Stripe client (an override changes no Stripe state). */
export function overrideWriterFromRuntime(runtime: Runtime<typeof CONTRACTS.adminReconcile>): EntitlementWriterDeps {
  const { ddb, tables, catalog } = runtime;
  return {
    entitlements: new DynamoEntitlementStore(ddb, tables.ENTITLEMENTS_TABLE),
    profiles: new DynamoProfileStore(ddb, tables.USER_PROFILES_TABLE),
    groups: new CognitoGroupGateway(runtime.cognito, runtime.userPoolId),
    audit: new DynamoAuditLog(ddb, tables.AUDIT_TABLE),
    catalog,
    policy: entitlementPolicyOf(runtime.policy),
    clock: runtime.clock,
  };
}

/** Sync-health's list of users holding an override. */
export function overrideDirectoryFromRuntime(runtime: Runtime<typeof CONTRACTS.adminReconcile>): OverrideDirectory {
  return new DynamoOverrideDirectory(runtime.ddb, runtime.tables.ENTITLEMENTS_TABLE);
}

/** Everything the admin Lambda's routes need, built once per container (the reconcile deps on first use). */
export function adminRouteDeps(
  runtime: Runtime<typeof CONTRACTS.adminReconcile>,
  env: NodeJS.ProcessEnv,
): AdminRouteDeps {
  const deps = deployedReconcileDeps(runtime, env);
  const writer = overrideWriterFromRuntime(runtime);
  return {
    writer: async () => writer,
    overrides: overrideDirectoryFromRuntime(runtime),
    reconcile: deps,
    lastRun: async () => (await deps()).state.getLastRun(),
    clock: runtime.clock,
    admins: adminAccessFromRuntime(runtime),
  };
}
