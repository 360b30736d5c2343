import { attributeIsTrue, identityProviderOf } from '../../domain/cognito-user';
import {
  ConfirmedUserAttributesSchema,
  type PostConfirmationTriggerEvent,
  parseTriggerEvent,
} from '../../platform/cognito-trigger-events';
import { logger } from '../../platform/logger';
import { type ProvisionResult, type ProvisionUserDeps, provisionUser } from './provision-user';

/**
 * Re-applies Stripe events parked while the customer had no profile (the webhook engineer's
 * retryParkedEventsForCustomer, bound to its deps by the handler).
 */
export type RetryParkedEvents = (
  stripeCustomerId: string,
  sub: string,
) => Promise<{ applied: number; stillParked: number }>;

export interface PostConfirmationDeps extends ProvisionUserDeps {
  retryParked?: RetryParkedEvents;
}

export type PostConfirmationOutcome =
  | { action: 'ignored'; triggerSource: PostConfirmationTriggerEvent['triggerSource'] }
  | { action: 'provisioned'; result: ProvisionResult; parkedRetryError?: Error };

/**
 * Post-Confirmation: a newly confirmed account gets its profile, Stripe customer, Entitlements record and `free`
 * group (provisionUser, idempotent: Cognito retries). A password-reset confirmation does nothing.
 */
export async function postConfirmation(
  deps: PostConfirmationDeps,
  event: Pick<PostConfirmationTriggerEvent, 'triggerSource' | 'userName' | 'request'>,
): Promise<PostConfirmationOutcome> {
  if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') {
    return { action: 'ignored', triggerSource: event.triggerSource };
  }
  const attributes = parseTriggerEvent(
    ConfirmedUserAttributesSchema,
    event.request.userAttributes,
    'Post-Confirmation (request.userAttributes)',
  );
  const result = await provisionUser(deps, {
    sub: attributes.sub,
    username: event.userName,
    email: attributes.email,
    emailVerified: attributeIsTrue(attributes.email_verified),
    ...(attributes.given_name ? { givenName: attributes.given_name } : {}),
    ...(attributes.family_name ? { familyName: attributes.family_name } : {}),
    identityProvider: identityProviderOf(event.userName, event.request.userAttributes),
  });
  logger.info('User provisioned', {
    sub: attributes.sub,
    identityProvider: result.profile.identityProvider,
    hasStripeCustomer: result.stripeCustomerId !== undefined,
    entitlementCreated: result.entitlementCreated,
    groupsAdded: result.groupsAdded,
  });
  const parkedRetryError = result.stripeCustomerId
    ? await retryParked(deps, result.stripeCustomerId, attributes.sub)
    : undefined;
  return { action: 'provisioned', result, ...(parkedRetryError ? { parkedRetryError } : {}) };
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
