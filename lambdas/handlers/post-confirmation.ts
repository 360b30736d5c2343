import { attributeIsTrue, identityProviderOf } from '../domain/cognito-user';
import {
  ConfirmedUserAttributesSchema,
  PostConfirmationTriggerSchema,
  parseTriggerEvent,
} from '../platform/cognito-trigger-events';
import { CONTRACTS } from '../platform/contracts';
import { lambdaEntry } from '../platform/lambda-entry';
import { type PostConfirmationDeps, postConfirmation } from '../use-cases/identity/post-confirmation';
import { postConfirmationDeps } from '../wiring/triggers';

/**
 * Cognito Post-Confirmation trigger: parse; for a confirmed sign-up, provision the user (use case); answer with the
 * event untouched. A password-reset confirmation (`PostConfirmation_ConfirmForgotPassword`) does nothing.
 */
export function createPostConfirmationHandler(depsFor: (userPoolId: string) => PostConfirmationDeps) {
  return async (event: unknown) => {
    const parsed = parseTriggerEvent(PostConfirmationTriggerSchema, event, 'Post-Confirmation');
    if (parsed.triggerSource !== 'PostConfirmation_ConfirmSignUp') return parsed;
    const attributes = parseTriggerEvent(
      ConfirmedUserAttributesSchema,
      parsed.request.userAttributes,
      'Post-Confirmation (request.userAttributes)',
    );
    await postConfirmation(depsFor(parsed.userPoolId), {
      sub: attributes.sub,
      username: parsed.userName,
      email: attributes.email,
      emailVerified: attributeIsTrue(attributes.email_verified),
      ...(attributes.given_name ? { givenName: attributes.given_name } : {}),
      ...(attributes.family_name ? { familyName: attributes.family_name } : {}),
      identityProvider: identityProviderOf(parsed.userName, parsed.request.userAttributes),
    });
    return parsed;
  };
}

const entry = lambdaEntry(CONTRACTS.postConfirmation, (runtime) =>
  createPostConfirmationHandler(postConfirmationDeps(runtime)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
