import {
  type AccountTombstone,
  type CustomerHandling,
  type DeletionPolicy,
  type DeletionTrigger,
  type SubscriptionHandling,
  subscriptionActions,
} from '../../domain/account-deletion';
import type { Clock } from '../../domain/clock';
import { DependencyUnavailableError } from '../../domain/errors';
import { logger } from '../../platform/logger';
import type {
  AccountTombstoneStore,
  BillingCleanup,
  EntitlementCleanup,
  ProfileCleanup,
  UserCleanup,
} from '../../ports/account-ports';
import type { EntitlementStore, ProfileStore } from '../../ports/app-ports';
import type { CreditCleanup } from '../../ports/credit-ports';

export interface DeleteAccountDeps {
  profiles: Pick<ProfileStore, 'get'> & ProfileCleanup;
  entitlements: Pick<EntitlementStore, 'get'> & EntitlementCleanup;
  /** The user's credit ledger (balance, grants, recent consumptions). */
  credits: CreditCleanup;
  users: UserCleanup;
  /** Built on first use (the Stripe key is read only when a customer needs handling). */
  billing: () => Promise<BillingCleanup>;
  tombstones: AccountTombstoneStore;
  clock: Clock;
}

export interface DeleteAccountInput {
  sub: string;
  /** Cognito username when the caller knows it (token); the profile's is preferred. */
  username?: string;
  /** The email from the token, used for the trial mark when neither profile nor record has one. */
  email?: string;
  trigger: DeletionTrigger;
  policy: DeletionPolicy;
}

export type DeleteAccountOutcome =
  | { kind: 'deleted'; tombstone: AccountTombstone }
  /** Nothing of the account was left, and a tombstone says it was deleted earlier. */
  | { kind: 'already-deleted'; tombstone: AccountTombstone }
  /** No profile, record, tombstone or (for the user trigger) Cognito user: nothing to delete. */
  | { kind: 'nothing' };

/**
 * Deletes an account in an order where stopping anywhere leaves something a retry (the user's, or reconcile's)
 * finishes, and nothing half-done is revived in between:
 * 1. mark the profile (`deletion`, with the customer id): reconcile finishes a marked profile; provisioning and
 *    webhooks leave it alone;
 * 2. the trial-used mark under the email's hash (when the trial was used) and the customer's tombstone (so late
 *    Stripe events for it are ignored once the rows are gone);
 * 3. the Entitlements record, before Stripe: the events our own Stripe calls cause then find no record to update
 *    (a webhook would otherwise write it back after its removal), only the marked profile, and are ignored. Without
 *    a profile (an orphaned record) there is no mark to resume from, so the record goes after Stripe instead;
 * 4. Stripe, per policy: subscriptions canceled now or at period end (or kept), then the customer deleted or
 *    anonymised (or kept);
 * 5. the Cognito user (user trigger only: an orphan has none), 6. the account's audit tombstone (no PII), 7. the
 *    profile, last, since it carries the mark. The credit ledger goes with step 3 (after the customer's tombstone,
 *    so a late pack sale of the customer is ignored, never credited back).
 * Each step is idempotent (conditional or absent-tolerant), so a retry after any failure repeats only what is left.
 * Failures propagate (DependencyUnavailableError): the caller answers 503, reconcile records a failed repair. Each
 * failure is logged once here (ERROR, the AccountDeletionFailures alarm): an account left half-deleted needs a retry.
 */
export async function deleteAccount(deps: DeleteAccountDeps, input: DeleteAccountInput): Promise<DeleteAccountOutcome> {
  try {
    return await deleteInOrder(deps, input);
  } catch (error) {
    logger.error('Account deletion failed part-way; a retry or reconcile finishes it', {
      sub: input.sub,
      trigger: input.trigger,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      dependency: error instanceof DependencyUnavailableError ? error.dependency : undefined,
    });
    throw error;
  }
}

async function deleteInOrder(deps: DeleteAccountDeps, input: DeleteAccountInput): Promise<DeleteAccountOutcome> {
  const { sub } = input;
  const [profile, record, earlier] = await Promise.all([
    deps.profiles.get(sub),
    deps.entitlements.get(sub),
    deps.tombstones.accountTombstone(sub),
  ]);
  const now = deps.clock.now();
  const knownCustomer = profile?.stripeCustomerId ?? record?.stripeCustomerId;
  const mark = profile
    ? await deps.profiles.markDeletion(
        sub,
        profile.deletion ?? {
          requestedAt: now.toISOString(),
          trigger: input.trigger,
          ...(knownCustomer ? { stripeCustomerId: knownCustomer } : {}),
        },
      )
    : undefined;
  const username = profile?.cognitoUsername ?? record?.cognitoUsername ?? input.username ?? sub;
  if (!profile && !record) {
    if (earlier) {
      // A second request after a finished deletion (step 7 ran, so step 5 did too: deleting again is a no-op).
      if (input.trigger === 'user') await deps.users.deleteUser(username);
      return { kind: 'already-deleted', tombstone: earlier };
    }
    if (input.trigger === 'orphan') return { kind: 'nothing' };
  }

  const email = profile?.email ?? record?.email ?? input.email;
  // Once the record is gone (a retry after step 3), the mark written in step 2 remembers the trial.
  const trialUsed =
    record?.trialUsed === true ||
    earlier?.trialUsed === true ||
    (!record && email !== undefined && (await deps.tombstones.isTrialUsed(email)));
  if (trialUsed && email) await deps.tombstones.markTrialUsed(email, now);
  const customerId = knownCustomer ?? mark?.stripeCustomerId ?? earlier?.stripeCustomerId;
  if (customerId) await deps.tombstones.markCustomerDeleted(customerId, sub, now);

  if (profile) await deps.entitlements.remove(sub);
  await deps.credits.remove(sub);
  const stripe = customerId
    ? await handleStripe(deps, customerId, input.policy, now)
    : { subscriptionIds: [], customer: 'none' as const };
  if (!profile) await deps.entitlements.remove(sub);

  const cognito = input.trigger === 'user' ? await deps.users.deleteUser(username) : 'absent';
  const tombstone: AccountTombstone = {
    userId: sub,
    entryId: 'account#deleted',
    trigger: mark?.trigger ?? input.trigger,
    requestedAt: mark?.requestedAt ?? earlier?.requestedAt ?? now.toISOString(),
    deletedAt: now.toISOString(),
    ...(customerId ? { stripeCustomerId: customerId } : {}),
    subscriptions: input.policy.subscriptions,
    customer: stripe.customer,
    trialUsed,
  };
  await deps.tombstones.putAccountTombstone(tombstone);
  await deps.profiles.remove(sub);
  logger.info('Account deleted', {
    sub,
    trigger: tombstone.trigger,
    cognitoUser: cognito,
    stripeCustomerId: customerId,
    subscriptionsEnded: stripe.subscriptionIds,
    customer: stripe.customer,
  });
  return { kind: 'deleted', tombstone };
}

async function handleStripe(
  deps: DeleteAccountDeps,
  customerId: string,
  policy: DeletionPolicy,
  now: Date,
): Promise<{ subscriptionIds: string[]; customer: CustomerHandling }> {
  const billing = await deps.billing();
  const subscriptions = await billing.subscriptions(customerId);
  const actions = subscriptionActions(subscriptions, policy.subscriptions);
  for (const { id, action } of actions) {
    if (action === 'cancel-now') await billing.cancelNow(id);
    else await billing.cancelAtPeriodEnd(id);
  }
  if (policy.customer === 'delete') await billing.deleteCustomer(customerId);
  if (policy.customer === 'anonymise') await billing.anonymiseCustomer(customerId, now);
  return { subscriptionIds: actions.map((a) => a.id), customer: policy.customer };
}

export type { CustomerHandling, SubscriptionHandling };
