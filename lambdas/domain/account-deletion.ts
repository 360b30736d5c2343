import { createHash } from 'node:crypto';
import { CodedNotFoundError } from './coded-errors';
import { normaliseEmail } from './email';

/**
 * Account deletion and orphan clean-up: what a stage does with the Stripe side, the tombstones kept afterwards
 * (none holds an email, a name or any other profile field), and the keys they live under. Pure module.
 *
 * Tombstones live in the AuditLog table (pk `userId`, sk `entryId`), under key spaces no Cognito sub can take:
 * - `{ userId: <sub>, entryId: 'account#deleted' }`: the account's audit tombstone (when, why, what was done);
 * - `{ userId: 'stripe-customer#<cus_...>', entryId: 'account#deleted' }`: the customer belonged to a deleted
 *   account, so a late Stripe event for it is ignored instead of parked;
 * - `{ userId: 'email#sha256:<hex>', entryId: 'trial-used' }`: the normalised email's trial is used, so an account
 *   re-created with the same address gets no second trial. The hex is SHA-256 of `normaliseEmail(email)`: any
 *   writer (account deletion here, the trial rules of issue 14) computes the same key with `trialUsedMarkKey`.
 */

/** What happens to the customer's subscriptions: at once, at the end of the paid period, or nothing. */
export type SubscriptionHandling = 'cancel-now' | 'cancel-at-period-end' | 'keep';
/** What happens to the Stripe customer: deleted, kept for accounting with PII and the link removed, or untouched. */
export type CustomerHandling = 'delete' | 'anonymise' | 'keep';

export interface DeletionPolicy {
  subscriptions: SubscriptionHandling;
  customer: CustomerHandling;
}

/** Who asked: the user (DELETE /account) or reconcile, for a profile whose Cognito user is gone. */
export type DeletionTrigger = 'user' | 'orphan';

/** A stage's settings (Lambda env ACCOUNT_DELETION_SUBSCRIPTIONS, ACCOUNT_DELETION_CUSTOMER, ORPHAN_SUBSCRIPTIONS). */
export interface AccountDeletionSettings {
  user: {
    subscriptions: Extract<SubscriptionHandling, 'cancel-now' | 'cancel-at-period-end'>;
    customer: Extract<CustomerHandling, 'delete' | 'anonymise'>;
  };
  /** An orphan's customer is never touched (its billing history is the operator's to handle). */
  orphan: { subscriptions: Extract<SubscriptionHandling, 'cancel-now' | 'keep'> };
}

export const DEFAULT_ACCOUNT_DELETION: AccountDeletionSettings = {
  user: { subscriptions: 'cancel-now', customer: 'delete' },
  orphan: { subscriptions: 'cancel-now' },
};

/**
 * Why a combination cannot work, or undefined: deleting a customer cancels its subscriptions at once (Stripe), so
 * "cancel at period end" needs the customer kept (anonymised).
 */
export function deletionSettingsProblem(settings: AccountDeletionSettings): string | undefined {
  if (settings.user.subscriptions === 'cancel-at-period-end' && settings.user.customer === 'delete') {
    return 'cancel-at-period-end needs the customer kept (anonymise): deleting a Stripe customer cancels its subscriptions at once';
  }
  return undefined;
}

export function policyFor(settings: AccountDeletionSettings, trigger: DeletionTrigger): DeletionPolicy {
  return trigger === 'user' ? settings.user : { subscriptions: settings.orphan.subscriptions, customer: 'keep' };
}

/** Marks a profile whose deletion started: reconcile finishes it, nothing else may revive the account. */
export interface DeletionMark {
  requestedAt: string;
  trigger: DeletionTrigger;
  /** The customer known when the deletion started (the record, which may hold it alone, goes first). */
  stripeCustomerId?: string;
}

export const ACCOUNT_TOMBSTONE_ENTRY = 'account#deleted';
export const TRIAL_USED_ENTRY = 'trial-used';

/** The account's audit tombstone: no email, name or other profile field. */
export interface AccountTombstone {
  userId: string;
  entryId: typeof ACCOUNT_TOMBSTONE_ENTRY;
  trigger: DeletionTrigger;
  requestedAt: string;
  deletedAt: string;
  stripeCustomerId?: string;
  /**
   * What was done: subscriptions canceled now / at period end / kept, the customer deleted / anonymised / kept
   * (`none`: there was no customer). Which subscriptions ended is Stripe's record (the customer's history).
   */
  subscriptions: SubscriptionHandling;
  customer: CustomerHandling | 'none';
  trialUsed: boolean;
}

export interface AuditKey {
  userId: string;
  entryId: string;
}

/** SHA-256 (hex) of the normalised email: the same for every equivalent spelling. */
export function emailHash(email: string): string {
  return createHash('sha256').update(normaliseEmail(email), 'utf8').digest('hex');
}

export function trialUsedMarkKey(email: string): AuditKey {
  return { userId: `email#sha256:${emailHash(email)}`, entryId: TRIAL_USED_ENTRY };
}

export function customerTombstoneKey(customerId: string): AuditKey {
  return { userId: `stripe-customer#${customerId}`, entryId: ACCOUNT_TOMBSTONE_ENTRY };
}

export function accountTombstoneKey(sub: string): AuditKey {
  return { userId: sub, entryId: ACCOUNT_TOMBSTONE_ENTRY };
}

/** Subscription statuses Stripe will not bill again: nothing to cancel. */
const ENDED = new Set(['canceled', 'incomplete_expired']);

export interface SubscriptionToEnd {
  id: string;
  status: string;
  cancelAtPeriodEnd: boolean;
}

/**
 * What to do with each of the customer's subscriptions under `handling`. Cancel at period end applies to a
 * subscription that is being paid for (active, trialing, past_due, unpaid, paused); one that never started
 * (incomplete) is canceled at once, since it has no paid period to run out.
 */
export function subscriptionActions(
  subscriptions: readonly SubscriptionToEnd[],
  handling: SubscriptionHandling,
): { id: string; action: 'cancel-now' | 'cancel-at-period-end' }[] {
  if (handling === 'keep') return [];
  const actions: { id: string; action: 'cancel-now' | 'cancel-at-period-end' }[] = [];
  for (const subscription of subscriptions) {
    if (ENDED.has(subscription.status)) continue;
    if (handling === 'cancel-now' || subscription.status === 'incomplete') {
      actions.push({ id: subscription.id, action: 'cancel-now' });
    } else if (!subscription.cancelAtPeriodEnd) {
      actions.push({ id: subscription.id, action: 'cancel-at-period-end' });
    }
  }
  return actions;
}

/** A request for an account that was deleted (a token outlives its user by up to an hour): 404 account_deleted. */
export class AccountDeletedError extends CodedNotFoundError {
  constructor(sub: string) {
    super('account_deleted', `This account has been deleted (${sub}).`);
  }
}
