import { CognitoGroupGateway } from '../adapters/cognito/cognito-groups';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoParkedEventStore } from '../adapters/dynamo/parked-events';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { StripeCustomerGateway } from '../adapters/stripe/stripe-customers';
import { StripeSubscriptionSource } from '../adapters/stripe/stripe-subscriptions';
import type { PlanCatalog } from '../domain/plan-catalog';
import { PostConfirmationTriggerSchema, parseTriggerEvent } from '../platform/cognito-trigger-events';
import { CONTRACTS } from '../platform/contracts';
import { lambdaEntry } from '../platform/lambda-entry';
import type { Runtime } from '../platform/runtime';
import type { Clock, CustomerGateway, EntitlementStore, GroupGateway, ProfileStore } from '../ports/app-ports';
import { systemClock } from '../ports/app-ports';
import { postConfirmation, type RetryParkedEvents } from '../use-cases/identity/post-confirmation';
import { retryParkedEventsForCustomer } from '../use-cases/webhook/retry-parked-events';

/** Stripe time box for the trigger: Cognito gives 5 s in all, DynamoDB and Cognito calls need the rest. */
export const TRIGGER_STRIPE_OPTIONS = { timeoutMs: 1500, maxNetworkRetries: 1 } as const;

export interface PostConfirmationHandlerDeps {
  profiles: ProfileStore;
  entitlements: EntitlementStore;
  /** Group calls go to the pool that fired the trigger (`event.userPoolId`). */
  groups: (userPoolId: string) => GroupGateway;
  customers?: CustomerGateway;
  catalog: PlanCatalog;
  clock: Clock;
  /** Built per pool too: re-applying parked events may change the user's groups. */
  retryParked?: (userPoolId: string) => RetryParkedEvents;
}

/** Cognito Post-Confirmation trigger: parse, provision (use case), answer with the event untouched. */
export function createPostConfirmationHandler(deps: PostConfirmationHandlerDeps) {
  return async (event: unknown) => {
    const parsed = parseTriggerEvent(PostConfirmationTriggerSchema, event, 'Post-Confirmation');
    const { retryParked, groups, ...rest } = deps;
    await postConfirmation(
      {
        ...rest,
        groups: groups(parsed.userPoolId),
        ...(retryParked ? { retryParked: retryParked(parsed.userPoolId) } : {}),
      },
      parsed,
    );
    return parsed;
  };
}

/**
 * A CustomerGateway that builds the Stripe client on first use, so a Secrets Manager failure counts as Stripe
 * being unavailable (profile written without a customer) instead of failing the whole trigger.
 */
export class LazyCustomerGateway implements CustomerGateway {
  private gateway: Promise<CustomerGateway> | undefined;
  constructor(private readonly load: () => Promise<CustomerGateway>) {}

  async createForUser(user: { sub: string; email: string; name?: string }) {
    return (await this.resolve()).createForUser(user);
  }

  async retrieve(customerId: string) {
    return (await this.resolve()).retrieve(customerId);
  }

  private resolve(): Promise<CustomerGateway> {
    this.gateway ??= this.load().catch((error: unknown) => {
      this.gateway = undefined; // retry the secret on the next call
      throw error;
    });
    return this.gateway;
  }
}

function build(runtime: Runtime<typeof CONTRACTS.postConfirmation>) {
  const config = runtime.tables;
  const groupGateways = new Map<string, GroupGateway>();
  const groups = (userPoolId: string) => {
    let gateway = groupGateways.get(userPoolId);
    if (!gateway) {
      gateway = new CognitoGroupGateway(runtime.cognito, userPoolId);
      groupGateways.set(userPoolId, gateway);
    }
    return gateway;
  };
  const profiles = new DynamoProfileStore(runtime.ddb, config.USER_PROFILES_TABLE);
  const entitlements = new DynamoEntitlementStore(runtime.ddb, config.ENTITLEMENTS_TABLE);
  const parked = new DynamoParkedEventStore(runtime.ddb, config.PARKED_EVENTS_TABLE);
  const audit = new DynamoAuditLog(runtime.ddb, config.AUDIT_TABLE);
  const subscriptions = new StripeSubscriptionSource(() => runtime.stripe(TRIGGER_STRIPE_OPTIONS));
  return createPostConfirmationHandler({
    profiles,
    entitlements,
    groups,
    retryParked: (userPoolId) => (stripeCustomerId, sub) =>
      retryParkedEventsForCustomer(
        {
          entitlements,
          profiles,
          groups: groups(userPoolId),
          stripe: subscriptions,
          parked,
          audit,
          catalog: runtime.catalog,
          policy: {
            gracePeriodDays: runtime.policy.GRACE_PERIOD_DAYS,
            revokeOnDispute: runtime.policy.REVOKE_ON_DISPUTE,
          },
          clock: systemClock,
        },
        stripeCustomerId,
        { knownSub: sub },
      ),
    customers: new LazyCustomerGateway(
      async () => new StripeCustomerGateway(await runtime.stripe(TRIGGER_STRIPE_OPTIONS)),
    ),
    catalog: runtime.catalog,
    clock: systemClock,
  });
}

const entry = lambdaEntry(CONTRACTS.postConfirmation, build);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
