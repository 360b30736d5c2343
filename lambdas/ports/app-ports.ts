import type { EntitlementRecord } from '../domain/entitlement';
import type { ProfileInput, UserProfile } from '../domain/profile';

/**
 * Ports: what use cases need from the outside world. Adapters in lambdas/adapters implement them against
 * DynamoDB, Cognito and Stripe; unit tests implement them in memory.
 */

export type { ProfileInput, UserProfile } from '../domain/profile';

export interface ProfileStore {
  get(userId: string): Promise<UserProfile | undefined>;
  findByEmail(email: string): Promise<UserProfile[]>;
  findByStripeCustomerId(stripeCustomerId: string): Promise<UserProfile[]>;
  /** Create or refresh; never overwrites a stored stripeCustomerId or createdAt. */
  upsert(input: ProfileInput, now: Date): Promise<UserProfile>;
  /** Stores the customer id unless another is stored; returns what is stored afterwards. */
  linkStripeCustomer(userId: string, stripeCustomerId: string, now: Date): Promise<string | undefined>;
  /**
   * Removes the link only if it still names `stripeCustomerId` (a customer deleted in Stripe); true when removed.
   * A profile linked to another customer meanwhile, or absent, is left as is.
   */
  unlinkStripeCustomer(userId: string, stripeCustomerId: string, now: Date): Promise<boolean>;
}

export type WriteOutcome = 'written' | 'conflict';

export interface EntitlementStore {
  get(sub: string): Promise<EntitlementRecord | undefined>;
  /** Puts the record only if no item exists for the sub. */
  createIfAbsent(record: EntitlementRecord): Promise<WriteOutcome>;
  /**
   * Single conditional write: succeeds only if the stored `entitlementsVersion` equals `expectedVersion`
   * (or no item exists when it is null). The caller re-reads and retries on `conflict`. The applied groups
   * (`cognitoGroups`, `cognitoGroupsVersion`, `cognitoGroupsUnverified`) belong to setCognitoGroups: an update never
   * writes them (a value read before a concurrent group sync would restore a stale one); only a create sets them.
   */
  writeIfVersion(record: EntitlementRecord, expectedVersion: number | null): Promise<WriteOutcome>;
  /**
   * Records which managed groups are confirmed applied in Cognito and bumps `cognitoGroupsVersion`. With `expectedVersion`, only if the stored `entitlementsVersion` still equals it and,
   * with `expectedGroupsVersion`, the stored `cognitoGroupsVersion` too (absent counts as 0): another applier that
   * recorded in between makes it a 'conflict' (as does a missing item), so its interleaved Cognito calls are
   * re-checked.
   */
  setCognitoGroups(
    sub: string,
    groups: string[],
    now: Date,
    expectedVersion?: number,
    expectedGroupsVersion?: number,
  ): Promise<WriteOutcome>;
  /**
   * Unconditionally marks the applied groups unknown (`cognitoGroupsUnverified`, `cognitoGroupsVersion` bumped): an
   * applier that could not confirm Cognito's membership leaves it to the next one to list it. Absent item: no-op.
   */
  markCognitoGroupsUnverified(sub: string, now: Date): Promise<void>;
}

export interface StripeCustomerRef {
  id: string;
  email?: string | null;
  metadata: Record<string, string>;
  deleted?: boolean;
}

export interface CustomerGateway {
  /** Creates the customer with an idempotency key derived from the sub and `metadata.cognito_sub`. */
  createForUser(user: { sub: string; email: string; name?: string }): Promise<StripeCustomerRef>;
  retrieve(customerId: string): Promise<StripeCustomerRef | undefined>;
}

export interface GroupGateway {
  addUserToGroup(username: string, group: string): Promise<void>;
  removeUserFromGroup(username: string, group: string): Promise<void>;
  listGroupsForUser(username: string): Promise<string[]>;
}

export { type Clock, systemClock } from '../domain/clock';
