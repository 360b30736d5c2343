import type { ConfirmedUser } from '../../domain/cognito-user';
import { logger } from '../../platform/logger';
import { type ProvisionResult, type ProvisionUserDeps, provisionUser } from './provision-user';

/** Re-applies Stripe events parked while the customer had no profile (the webhook's retry, bound by the wiring). */
export type RetryParkedEvents = (
  stripeCustomerId: string,
  sub: string,
) => Promise<{ applied: number; stillParked: number }>;

export interface PostConfirmationDeps extends ProvisionUserDeps {
  retryParked?: RetryParkedEvents;
}

export interface PostConfirmationOutcome {
  result: ProvisionResult;
  parkedRetryError?: Error;
}

/**
 * Post-Confirmation of a sign-up: the newly confirmed account gets its profile, Stripe customer, Entitlements record
 * and `free` group (provisionUser, idempotent: Cognito retries), then events parked for its customer are re-applied.
 */
export async function postConfirmation(
  deps: PostConfirmationDeps,
  user: ConfirmedUser,
): Promise<PostConfirmationOutcome> {
  const result = await provisionUser(deps, user);
  logger.info('User provisioned', {
    sub: user.sub,
    identityProvider: result.profile.identityProvider,
    hasStripeCustomer: result.stripeCustomerId !== undefined,
    entitlementCreated: result.entitlementCreated,
    groupsAdded: result.groupsAdded,
  });
  const parkedRetryError = result.stripeCustomerId
    ? await retryParked(deps, result.stripeCustomerId, user.sub)
    : undefined;
  return { result, ...(parkedRetryError ? { parkedRetryError } : {}) };
}

/**
 * Events parked for this customer can resolve now that the profile links it. A failure here is logged, not
 * thrown: the user is fully provisioned, failing the confirmation would show them an error they cannot act on,
 * and reconcile's sweep (retryAllParkedEvents) re-applies whatever is still parked.
 */
async function retryParked(deps: PostConfirmationDeps, stripeCustomerId: string, sub: string) {
  if (!deps.retryParked) return undefined;
  try {
    const outcome = await deps.retryParked(stripeCustomerId, sub);
    if (outcome.applied > 0 || outcome.stillParked > 0)
      logger.info('Parked Stripe events retried', { sub, ...outcome });
    return undefined;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    logger.error('Retrying parked Stripe events failed; reconcile will retry them', { sub, error: failure.message });
    return failure;
  }
}
