import { CognitoGroupGateway } from '../adapters/cognito-groups';
import { DynamoEntitlementStore } from '../adapters/entitlement-store';
import { DynamoProfileStore } from '../adapters/profile-store';
import { StripeCustomerGateway } from '../adapters/stripe-customers';
import { PostConfirmationTriggerSchema, parseTriggerEvent } from '../core/cognito-trigger-events';
import type { PlanCatalog } from '../core/plan-catalog';
import type { Clock, CustomerGateway, EntitlementStore, GroupGateway, ProfileStore } from '../core/ports';
import { systemClock } from '../core/ports';
import { parseEnv, tableEnvSchema } from '../shared/config';
import { lambdaEntry } from '../shared/lambda-entry';
import type { Runtime } from '../shared/runtime';
import { postConfirmation } from '../use-cases/post-confirmation';

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
}

/** Cognito Post-Confirmation trigger: parse, provision (use case), answer with the event untouched. */
export function createPostConfirmationHandler(deps: PostConfirmationHandlerDeps) {
  return async (event: unknown) => {
    const parsed = parseTriggerEvent(PostConfirmationTriggerSchema, event, 'Post-Confirmation');
    await postConfirmation({ ...deps, groups: deps.groups(parsed.userPoolId) }, parsed);
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

export const postConfirmationEnvSchema = tableEnvSchema.pick({ USER_PROFILES_TABLE: true, ENTITLEMENTS_TABLE: true });

function build(runtime: Runtime, env: NodeJS.ProcessEnv) {
  const config = parseEnv(postConfirmationEnvSchema, env);
  const groupGateways = new Map<string, GroupGateway>();
  return createPostConfirmationHandler({
    profiles: new DynamoProfileStore(runtime.ddb, config.USER_PROFILES_TABLE),
    entitlements: new DynamoEntitlementStore(runtime.ddb, config.ENTITLEMENTS_TABLE),
    groups: (userPoolId) => {
      let gateway = groupGateways.get(userPoolId);
      if (!gateway) {
        gateway = new CognitoGroupGateway(runtime.cognito, userPoolId);
        groupGateways.set(userPoolId, gateway);
      }
      return gateway;
    },
    customers: new LazyCustomerGateway(
      async () => new StripeCustomerGateway(await runtime.stripe(TRIGGER_STRIPE_OPTIONS)),
    ),
    catalog: runtime.catalog,
    clock: systemClock,
  });
}

export const handlerFromEnv = (env: NodeJS.ProcessEnv) => lambdaEntry((runtime) => build(runtime, env)).fromEnv(env);
export const handler = handlerFromEnv(process.env);
