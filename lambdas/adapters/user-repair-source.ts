import type { CognitoUserSnapshot } from '../domain/drift';
import { subFromMetadata } from '../domain/stripe-events';
import type { SourceCustomer, UserRepairSource } from '../ports/reconcile-ports';
import { type BackoffOptions, withBackoff } from './backoff';
import { type CognitoUserDirectory, escapeFilterValue } from './cognito/cognito-users';
import { toSnapshot } from './cognito-snapshot';
import type { StripeCustomerSource } from './stripe/stripe-customer-source';

export interface AwsUserRepairSourceDeps {
  directory: CognitoUserDirectory;
  groups: { listGroupsForUser(username: string): Promise<string[]> };
  /** Resolved on first use (the routes healing a caller read the Stripe key only then). */
  stripe: () => Promise<StripeCustomerSource>;
  backoff?: BackoffOptions;
}

/** One user's reads against Cognito and Stripe: reconcile's per-user checks and the routes' healing share them. */
export class AwsUserRepairSource implements UserRepairSource {
  constructor(private readonly deps: AwsUserRepairSourceDeps) {}

  /** ListUsers filtered by sub (one call in Cognito); the attributes are re-checked since emulators ignore filters. */
  findUser(sub: string): Promise<CognitoUserSnapshot | undefined> {
    return withBackoff(async () => {
      for await (const user of this.deps.directory.listAllUsers({ filter: `sub = "${escapeFilterValue(sub)}"` })) {
        if (user.sub === sub) return toSnapshot(user);
      }
      return undefined;
    }, this.deps.backoff);
  }

  groupsOfUser(username: string): Promise<string[]> {
    return withBackoff(() => this.deps.groups.listGroupsForUser(username), this.deps.backoff);
  }

  /**
   * The customers carrying this sub in `metadata.cognito_sub` among those with the user's email (a list call:
   * never the Search API, which lags up to an hour), plus the linked one whatever its metadata.
   */
  async customersForUser(input: { sub: string; email?: string; linkedId?: string }): Promise<SourceCustomer[]> {
    const stripe = await this.deps.stripe();
    const found = new Map<string, SourceCustomer>();
    if (input.email) {
      for (const customer of await stripe.customersByEmail(input.email)) {
        if (subFromMetadata(customer.metadata) === input.sub) found.set(customer.id, customer);
      }
    }
    if (input.linkedId && !found.has(input.linkedId)) {
      const linked = await stripe.customer(input.linkedId);
      if (linked) found.set(linked.id, linked);
    }
    return [...found.values()];
  }

  async allSubscriptions(customerId: string): Promise<unknown[]> {
    return (await this.deps.stripe()).allSubscriptions(customerId);
  }
}
