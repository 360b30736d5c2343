import type {
  AdminCreateUserConfigType,
  LambdaConfigType,
  UpdateUserPoolRequest,
  UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';

/** The triggers this app attaches to an adopted pool (Lambda ARNs). */
export interface AppTriggers {
  readonly PreSignUp: string;
  readonly PostConfirmation: string;
}

/** The pool's triggers with ours set; every other trigger (and the KMS key of custom senders) kept. */
export function withAppTriggers(current: LambdaConfigType | undefined, ours: AppTriggers): LambdaConfigType {
  return { ...(current ?? {}), PreSignUp: ours.PreSignUp, PostConfirmation: ours.PostConfirmation };
}

/** The pool's triggers without ours; a trigger someone else pointed elsewhere since is left as it is. */
export function withoutAppTriggers(current: LambdaConfigType | undefined, ours: AppTriggers): LambdaConfigType {
  const next: LambdaConfigType = { ...(current ?? {}) };
  if (next.PreSignUp === ours.PreSignUp) delete next.PreSignUp;
  if (next.PostConfirmation === ours.PostConfirmation) delete next.PostConfirmation;
  return next;
}

/**
 * UpdateUserPool sets every setting it is not given to its default (the API reference's warning): triggers, email
 * and SMS configuration, MFA, policies, tags would all be reset. So the request carries back every updatable
 * setting DescribeUserPool returned, with only `LambdaConfig` replaced. Settings the update cannot take (schema,
 * sign-in aliases, username configuration, domains) are not part of it and stay as they are.
 */
export function updateRequestFor(pool: UserPoolType, lambdaConfig: LambdaConfigType): UpdateUserPoolRequest {
  if (!pool.Id) throw new Error('DescribeUserPool returned a pool without an Id');
  const request: UpdateUserPoolRequest = {
    UserPoolId: pool.Id,
    Policies: pool.Policies,
    DeletionProtection: pool.DeletionProtection,
    LambdaConfig: lambdaConfig,
    AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
    SmsVerificationMessage: pool.SmsVerificationMessage,
    EmailVerificationMessage: pool.EmailVerificationMessage,
    EmailVerificationSubject: pool.EmailVerificationSubject,
    VerificationMessageTemplate: pool.VerificationMessageTemplate,
    SmsAuthenticationMessage: pool.SmsAuthenticationMessage,
    UserAttributeUpdateSettings: pool.UserAttributeUpdateSettings,
    MfaConfiguration: pool.MfaConfiguration,
    DeviceConfiguration: pool.DeviceConfiguration,
    EmailConfiguration: pool.EmailConfiguration,
    SmsConfiguration: pool.SmsConfiguration,
    UserPoolTags: pool.UserPoolTags,
    AdminCreateUserConfig: adminCreateUserConfig(pool.AdminCreateUserConfig),
    UserPoolAddOns: pool.UserPoolAddOns,
    DcrConfiguration: pool.DcrConfiguration,
    AccountRecoverySetting: pool.AccountRecoverySetting,
    PoolName: pool.Name,
    UserPoolTier: pool.UserPoolTier,
    KeyConfiguration: pool.KeyConfiguration,
    IssuerConfiguration: pool.IssuerConfiguration,
  };
  return Object.fromEntries(
    Object.entries(request).filter(([, value]) => value !== undefined),
  ) as UpdateUserPoolRequest;
}

/**
 * DescribeUserPool still reports the deprecated `UnusedAccountValidityDays`; UpdateUserPool refuses it next to
 * `Policies.PasswordPolicy.TemporaryPasswordValidityDays`, which carries the same setting.
 */
function adminCreateUserConfig(config: AdminCreateUserConfigType | undefined): AdminCreateUserConfigType | undefined {
  if (!config) return undefined;
  const { UnusedAccountValidityDays: _deprecated, ...rest } = config;
  return rest;
}
