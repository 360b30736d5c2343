import { isValidEmail } from '../domain/email';
import { InvalidInputError } from '../domain/errors';
import { describeIssues } from '../domain/validation-issues';
import * as z from '../domain/zod-mini';

/**
 * Boundary schemas for the Cognito triggers: one base schema for every trigger event, extended per trigger
 * source (the Powertools parser's `CognitoTriggerBaseSchema.extend` pattern). Objects are loose: Cognito adds
 * fields over time and a trigger must hand the event back whole.
 */

const stringMap = z.record(z.string(), z.string());

export const CognitoTriggerBaseSchema = z.looseObject({
  version: z.string(),
  triggerSource: z.string().check(z.minLength(1)),
  region: z.string(),
  userPoolId: z.string().check(z.minLength(1)),
  userName: z.string().check(z.minLength(1)),
  callerContext: z.looseObject({
    awsSdkVersion: z.optional(z.string()),
    // Null for admin-initiated operations.
    clientId: z.nullish(z.string()),
  }),
  request: z.looseObject({}),
  response: z.looseObject({}),
});

export const PRE_SIGN_UP_SOURCES = [
  'PreSignUp_SignUp',
  'PreSignUp_AdminCreateUser',
  'PreSignUp_ExternalProvider',
] as const;

export const PreSignUpTriggerSchema = z.extend(CognitoTriggerBaseSchema, {
  triggerSource: z.enum(PRE_SIGN_UP_SOURCES),
  request: z.looseObject({
    userAttributes: stringMap,
    validationData: z.nullish(stringMap),
    clientMetadata: z.nullish(stringMap),
  }),
  response: z.looseObject({
    autoConfirmUser: z.optional(z.boolean()),
    autoVerifyEmail: z.optional(z.boolean()),
    autoVerifyPhone: z.optional(z.boolean()),
  }),
});
export type PreSignUpTriggerEvent = z.infer<typeof PreSignUpTriggerSchema>;

export const POST_CONFIRMATION_SOURCES = [
  'PostConfirmation_ConfirmSignUp',
  'PostConfirmation_ConfirmForgotPassword',
] as const;

export const PostConfirmationTriggerSchema = z.extend(CognitoTriggerBaseSchema, {
  triggerSource: z.enum(POST_CONFIRMATION_SOURCES),
  request: z.looseObject({
    userAttributes: stringMap,
    clientMetadata: z.nullish(stringMap),
  }),
});
export type PostConfirmationTriggerEvent = z.infer<typeof PostConfirmationTriggerSchema>;

/** What PostConfirmation_ConfirmSignUp needs from `request.userAttributes`. */
export const ConfirmedUserAttributesSchema = z.looseObject({
  sub: z.string().check(z.minLength(1)),
  // Same shape check as Pre-Signup: a malformed address must not reach the profile or a Stripe customer.
  email: z.string().check(z.refine(isValidEmail, 'not a valid email address')),
  email_verified: z.optional(z.string()),
  given_name: z.optional(z.string()),
  family_name: z.optional(z.string()),
  'cognito:user_status': z.optional(z.string()),
  identities: z.optional(z.string()),
});

/** Parses a trigger event or throws an InvalidInputError naming every bad field (no values: they hold PII). */
export function parseTriggerEvent<S extends z.ZodMiniType>(schema: S, event: unknown, trigger: string): z.output<S> {
  const result = z.safeParse(schema, event);
  if (!result.success) {
    throw new InvalidInputError(
      `Malformed ${trigger} trigger event: ${describeIssues(result.error, { root: '(event)' })}`,
    );
  }
  return result.data;
}
