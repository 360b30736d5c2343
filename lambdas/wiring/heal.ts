import { CognitoGroupGateway } from '../adapters/cognito/cognito-groups';
import { CognitoUserDirectory } from '../adapters/cognito/cognito-users';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { lazyCustomerGateway, STRIPE_CALL_OPTIONS } from '../adapters/stripe/stripe-billing';
import { StripeCustomerSource } from '../adapters/stripe/stripe-customer-source';
import { AwsUserRepairSource } from '../adapters/user-repair-source';
import { entitlementPolicyOf } from '../platform/config';
import type { CognitoAction, DynamoAction, SecretKey } from '../platform/contracts';
import type { Runtime } from '../platform/runtime';
import { type HealUser, healUser } from '../use-cases/reconcile/heal-user';
import type { UserRepairDeps } from '../use-cases/reconcile/reconcile-options';
import { accountTombstones } from './account';

/** What healing a caller needs of a contract (contracts.ts HEALER is spread into each frontend route's). */
export type HealContract = {
  tables: Record<'entitlements' | 'userProfiles' | 'auditLog', readonly DynamoAction[]>;
  secrets: readonly ['stripeApiKey', ...SecretKey[]];
  userPool: { poolIdFrom: 'env'; actions: readonly CognitoAction[] };
};

/** The heal use case's dependencies: reconcile's per-user repairs over this function's clients. */
export function healDeps(runtime: Runtime<HealContract>): UserRepairDeps {
  const { ddb, tables } = runtime;
  const stripe = () => runtime.stripe(STRIPE_CALL_OPTIONS);
  const groups = new CognitoGroupGateway(runtime.cognito, runtime.userPoolId);
  return {
    entitlements: new DynamoEntitlementStore(ddb, tables.ENTITLEMENTS_TABLE),
    profiles: new DynamoProfileStore(ddb, tables.USER_PROFILES_TABLE),
    groups,
    audit: new DynamoAuditLog(ddb, tables.AUDIT_TABLE),
    customers: lazyCustomerGateway(stripe),
    source: new AwsUserRepairSource({
      directory: new CognitoUserDirectory(runtime.cognito, runtime.userPoolId),
      groups,
      stripe: async () => new StripeCustomerSource(await stripe()),
    }),
    catalog: runtime.catalog,
    policy: entitlementPolicyOf(runtime.policy),
    clock: runtime.clock,
    tombstones: accountTombstones(runtime),
    trialMarks: accountTombstones(runtime),
  };
}

/** The one healing entry the frontend routes share. */
export function healerOf(runtime: Runtime<HealContract>): HealUser {
  const deps = healDeps(runtime);
  return (sub) => healUser(deps, sub);
}
