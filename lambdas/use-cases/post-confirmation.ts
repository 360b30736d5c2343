import {
  ConfirmedUserAttributesSchema,
  type PostConfirmationTriggerEvent,
  parseTriggerEvent,
} from '../core/cognito-trigger-events';
import { attributeIsTrue, identityProviderOf } from '../core/cognito-user';
import { logger } from '../shared/logger';
import { type ProvisionResult, type ProvisionUserDeps, provisionUser } from './provision-user';

export type PostConfirmationOutcome =
  | { action: 'ignored'; triggerSource: PostConfirmationTriggerEvent['triggerSource'] }
  | { action: 'provisioned'; result: ProvisionResult };

/**
 * Post-Confirmation: a newly confirmed account gets its profile, Stripe customer, Entitlements record and `free`
 * group (provisionUser, idempotent: Cognito retries). A password-reset confirmation does nothing.
 */
export async function postConfirmation(
  deps: ProvisionUserDeps,
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
  return { action: 'provisioned', result };
}
