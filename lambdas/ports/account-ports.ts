import type { AccountTombstone, DeletionMark, SubscriptionToEnd } from '../domain/account-deletion';

/**
 * Ports of account deletion and orphan clean-up (lambdas/use-cases/identity/delete-account.ts). Adapters:
 * adapters/dynamo/account-tombstone-store.ts, profile-store.ts, entitlement-store.ts, adapters/cognito/cognito-users.ts,
 * adapters/stripe/stripe-billing-cleanup.ts. Every write is idempotent: a retry repeats it harmlessly.
 */

/** Tombstones in the AuditLog table (keys in domain/account-deletion.ts). */
export interface AccountTombstoneStore {
  accountTombstone(sub: string): Promise<AccountTombstone | undefined>;
  putAccountTombstone(tombstone: AccountTombstone): Promise<void>;
  /** True when the customer belonged to a deleted account (late Stripe events for it are ignored). */
  isDeletedCustomer(customerId: string): Promise<boolean>;
  markCustomerDeleted(customerId: string, sub: string, now: Date): Promise<void>;
  /** True when an account with this (normalised) email used its trial. */
  isTrialUsed(email: string): Promise<boolean>;
  markTrialUsed(email: string, now: Date): Promise<void>;
}

/** The tombstone reads provisioning and the webhook need. */
export type AccountTombstoneReader = Pick<
  AccountTombstoneStore,
  'accountTombstone' | 'isDeletedCustomer' | 'isTrialUsed'
>;

export interface ProfileCleanup {
  /** Sets the deletion mark unless one is set; returns the mark stored afterwards (undefined: no profile). */
  markDeletion(userId: string, mark: DeletionMark): Promise<DeletionMark | undefined>;
  remove(userId: string): Promise<void>;
}

export interface EntitlementCleanup {
  remove(sub: string): Promise<void>;
}

export interface UserCleanup {
  /** AdminDeleteUser; a user already gone is not an error. */
  deleteUser(username: string): Promise<'deleted' | 'absent'>;
}

/** The Stripe calls of a deletion. A customer already deleted makes every call a no-op. */
export interface BillingCleanup {
  /** Every subscription of the customer, any status ([] when the customer is deleted). */
  subscriptions(customerId: string): Promise<SubscriptionToEnd[]>;
  cancelNow(subscriptionId: string): Promise<void>;
  cancelAtPeriodEnd(subscriptionId: string): Promise<void>;
  deleteCustomer(customerId: string): Promise<void>;
  /** Clears email, name, phone, description and `metadata.cognito_sub`; records when the account was deleted. */
  anonymiseCustomer(customerId: string, deletedAt: Date): Promise<void>;
}
