import { z } from 'zod';
import { isValidEmail } from '../domain/email';
import { InvalidInputError } from '../domain/errors';
import { describeIssues } from '../domain/validation-issues';

/**
 * Boundary schemas for the Cognito triggers: one base schema for every trigger event, extended per trigger
 * source (the Powertools parser's `CognitoTriggerBaseSchema.extend` pattern). Objects are loose: Cognito adds
 * fields over time and a trigger must hand the event back whole.
 */

const stringMap = z.record(z.string(), z.string());

export const CognitoTriggerBaseSchema = z.looseObject({
  version: z.string(),
  triggerSource: z.string().min(1),
  region: z.string(),
  userPoolId: z.string().min(1),
  userName: z.string().min(1),
  callerContext: z.looseObject({
    awsSdkVersion: z.string().optional(),
    // Null for admin-initiated operations.
    clientId: z.string().nullish(),
  }),
  request: z.looseObject({}),
  response: z.looseObject({}),
});

export const PRE_SIGN_UP_SOURCES = [
  'PreSignUp_SignUp',
  'PreSignUp_AdminCreateUser',
  'PreSignUp_ExternalProvider',
] as const;

export const PreSignUpTriggerSchema = CognitoTriggerBaseSchema.extend({
  triggerSource: z.enum(PRE_SIGN_UP_SOURCES),
  request: z.looseObject({
    userAttributes: stringMap,
    validationData: stringMap.nullish(),
    clientMetadata: stringMap.nullish(),
  }),
  response: z.looseObject({
    autoConfirmUser: z.boolean().optional(),
    autoVerifyEmail: z.boolean().optional(),
    autoVerifyPhone: z.boolean().optional(),
  }),
});
export type PreSignUpTriggerEvent = z.infer<typeof PreSignUpTriggerSchema>;

export const POST_CONFIRMATION_SOURCES = [
  'PostConfirmation_ConfirmSignUp',
  'PostConfirmation_ConfirmForgotPassword',
] as const;

export const PostConfirmationTriggerSchema = CognitoTriggerBaseSchema.extend({
  triggerSource: z.enum(POST_CONFIRMATION_SOURCES),
  request: z.looseObject({
    userAttributes: stringMap,
    clientMetadata: stringMap.nullish(),
  }),
});
export type PostConfirmationTriggerEvent = z.infer<typeof PostConfirmationTriggerSchema>;

/** What PostConfirmation_ConfirmSignUp needs from `request.userAttributes`. */
export const ConfirmedUserAttributesSchema = z.looseObject({
  sub: z.string().min(1),
  // Same shape check as Pre-Signup: a malformed address must not reach the profile or a Stripe customer.
  email: z.string().refine(isValidEmail, 'not a valid email address'),
  email_verified: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  'cognito:user_status': z.string().optional(),
  identities: z.string().optional(),
});

/** Parses a trigger event or throws an InvalidInputError naming every bad field (no values: they hold PII). */
export function parseTriggerEvent<S extends z.ZodType>(schema: S, event: unknown, trigger: string): z.output<S> {
  const result = schema.safeParse(event);
  if (!result.success) {
    throw new InvalidInputError(
      `Malformed ${trigger} trigger event: ${describeIssues(result.error, { root: '(event)' })}`,
    );
  }
  return result.data;
}
