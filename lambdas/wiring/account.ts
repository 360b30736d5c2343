import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { CognitoUserDirectory } from '../adapters/cognito/cognito-users';
import { DynamoAccountTombstoneStore } from '../adapters/dynamo/account-tombstone-store';
import { DynamoCreditCleanup } from '../adapters/dynamo/credit-cleanup';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { StripeBillingCleanup } from '../adapters/stripe/stripe-billing-cleanup';
import type { Clock } from '../domain/clock';
import { accountDeletionSettingsFromEnv } from '../platform/account-deletion-config';
import type { CONTRACTS } from '../platform/contracts';
import type { Runtime } from '../platform/runtime';
import { systemClock } from '../ports/app-ports';
import type { DeleteAccountDeps } from '../use-cases/identity/delete-account';

/** What account deletion needs from a function's runtime (DELETE /account, reconcile). */
export interface AccountRuntime {
  readonly ddb: DynamoDBDocumentClient;
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly tables: {
    USER_PROFILES_TABLE: string;
    ENTITLEMENTS_TABLE: string;
    AUDIT_TABLE: string;
    CREDITS_TABLE: string;
  };
  stripe(options?: { timeoutMs?: number; maxNetworkRetries?: number }): Promise<Stripe>;
}

/** Account tombstones (AuditLog): for any function with the audit table in its contract. */
export function accountTombstones(runtime: { ddb: DynamoDBDocumentClient; tables: { AUDIT_TABLE: string } }) {
  return new DynamoAccountTombstoneStore(runtime.ddb, runtime.tables.AUDIT_TABLE);
}

/** The deletion use case's dependencies; the Stripe client is built when a customer needs handling. */
export function deleteAccountDeps(
  runtime: AccountRuntime,
  clock: Clock,
  stripeOptions: { timeoutMs: number; maxNetworkRetries: number },
): DeleteAccountDeps {
  return {
    profiles: new DynamoProfileStore(runtime.ddb, runtime.tables.USER_PROFILES_TABLE),
    entitlements: new DynamoEntitlementStore(runtime.ddb, runtime.tables.ENTITLEMENTS_TABLE),
    credits: new DynamoCreditCleanup(runtime.ddb, runtime.tables.CREDITS_TABLE),
    users: new CognitoUserDirectory(runtime.cognito, runtime.userPoolId),
    billing: async () => new StripeBillingCleanup(await runtime.stripe(stripeOptions)),
    tombstones: accountTombstones(runtime),
    clock,
  };
}

/** Stripe calls of DELETE /account: time-boxed like the other routes (API Gateway gives 30 s in all). */
const ROUTE_STRIPE_OPTIONS = { timeoutMs: 5_000, maxNetworkRetries: 1 };

/** DELETE /account: the deletion's dependencies, the stage's settings, wall time for the sign-in age. */
export function deleteAccountRouteDeps(runtime: Runtime<typeof CONTRACTS.deleteAccount>, env: NodeJS.ProcessEnv) {
  return {
    deletion: deleteAccountDeps(runtime, runtime.clock, ROUTE_STRIPE_OPTIONS),
    settings: accountDeletionSettingsFromEnv(env),
    wallClock: systemClock,
  };
}
