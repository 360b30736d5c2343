import { CognitoGroupGateway } from '../adapters/cognito/cognito-groups';
import { CognitoUserDirectory } from '../adapters/cognito/cognito-users';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoParkedEventStore } from '../adapters/dynamo/parked-events';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { LazyCustomerGateway } from '../adapters/stripe/lazy-customer-gateway';
import { StripeCustomerGateway } from '../adapters/stripe/stripe-customers';
import { StripeSubscriptionSource } from '../adapters/stripe/stripe-subscriptions';
import { entitlementPolicyOf, parseEnv, preSignUpEnvSchema } from '../platform/config';
import type { CONTRACTS } from '../platform/contracts';
import type { Runtime } from '../platform/runtime';
import type { GroupGateway } from '../ports/app-ports';
import type { UserDirectory } from '../ports/user-ports';
import type { PostConfirmationDeps } from '../use-cases/identity/post-confirmation';
import type { PreSignUpDeps } from '../use-cases/identity/pre-signup';
import { retryParkedEventsForCustomer } from '../use-cases/webhook/retry-parked-events';
import { accountTombstones } from './account';

/** Stripe time box for the triggers: Cognito gives 5 s in all, DynamoDB and Cognito calls need the rest. */
export const TRIGGER_STRIPE_OPTIONS = { timeoutMs: 1500, maxNetworkRetries: 1 } as const;

/**
 * Trigger dependencies are built per user pool: a trigger learns its pool from `event.userPoolId` (naming the pool
 * in its environment would be a CloudFormation cycle), and builds each pool's gateways once.
 */
function perPool<T>(build: (userPoolId: string) => T): (userPoolId: string) => T {
  const built = new Map<string, T>();
  return (userPoolId) => {
    let value = built.get(userPoolId);
    if (value === undefined) {
      value = build(userPoolId);
      built.set(userPoolId, value);
    }
    return value;
  };
}

export function preSignUpDeps(
  runtime: Runtime<typeof CONTRACTS.preSignUp>,
  env: NodeJS.ProcessEnv,
): (userPoolId: string) => PreSignUpDeps {
  const { PRE_SIGNUP_FAIL_OPEN } = parseEnv(preSignUpEnvSchema, env);
  const profiles = new DynamoProfileStore(runtime.ddb, runtime.tables.USER_PROFILES_TABLE);
  return perPool((userPoolId) => ({
    users: new CognitoUserDirectory(runtime.cognito, userPoolId) satisfies UserDirectory,
    profiles,
    failOpen: PRE_SIGNUP_FAIL_OPEN,
  }));
}

export function postConfirmationDeps(
  runtime: Runtime<typeof CONTRACTS.postConfirmation>,
): (userPoolId: string) => PostConfirmationDeps {
  const { ddb, tables } = runtime;
  const profiles = new DynamoProfileStore(ddb, tables.USER_PROFILES_TABLE);
  const entitlements = new DynamoEntitlementStore(ddb, tables.ENTITLEMENTS_TABLE);
  const parked = new DynamoParkedEventStore(ddb, tables.PARKED_EVENTS_TABLE);
  const audit = new DynamoAuditLog(ddb, tables.AUDIT_TABLE);
  const tombstones = accountTombstones(runtime);
  const stripe = new StripeSubscriptionSource(() => runtime.stripe(TRIGGER_STRIPE_OPTIONS));
  const customers = new LazyCustomerGateway(
    async () => new StripeCustomerGateway(await runtime.stripe(TRIGGER_STRIPE_OPTIONS)),
  );
  const policy = entitlementPolicyOf(runtime.policy);
  return perPool((userPoolId) => {
    const groups: GroupGateway = new CognitoGroupGateway(runtime.cognito, userPoolId);
    const eventDeps = {
      entitlements,
      profiles,
      groups,
      stripe,
      parked,
      audit,
      catalog: runtime.catalog,
      policy,
      trialMarks: tombstones,
    };
    return {
      profiles,
      entitlements,
      groups,
      customers,
      catalog: runtime.catalog,
      clock: runtime.clock,
      tombstones,
      retryParked: (customerId, sub) =>
        retryParkedEventsForCustomer({ ...eventDeps, clock: runtime.clock }, customerId, { knownSub: sub }),
    };
  });
}
