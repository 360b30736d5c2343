import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { updateRequestFor, withAppTriggers, withoutAppTriggers } from '../../lib/adopted-pool/update-request';

const OURS = {
  PreSignUp: 'arn:aws:lambda:eu-west-1:1:function:pre',
  PostConfirmation: 'arn:aws:lambda:eu-west-1:1:function:post',
};

/** A pool as DescribeUserPool returns it, with settings UpdateUserPool would reset if it were not given them. */
function describedPool(): UserPoolType {
  return {
    Id: 'eu-west-1_AbC123dEf',
    Name: 'existing-pool',
    Arn: 'arn:aws:cognito-idp:eu-west-1:1:userpool/eu-west-1_AbC123dEf',
    Status: 'Enabled',
    CreationDate: new Date('2024-01-01T00:00:00Z'),
    LastModifiedDate: new Date('2025-01-01T00:00:00Z'),
    EstimatedNumberOfUsers: 1200,
    Domain: 'existing-login',
    UsernameAttributes: ['email'],
    SchemaAttributes: [{ Name: 'email', Required: true }],
    Policies: { PasswordPolicy: { MinimumLength: 10, TemporaryPasswordValidityDays: 5 } },
    DeletionProtection: 'ACTIVE',
    LambdaConfig: {
      PreTokenGeneration: 'arn:aws:lambda:eu-west-1:1:function:claims',
      CustomMessage: 'arn:aws:lambda:eu-west-1:1:function:messages',
    },
    AutoVerifiedAttributes: ['email'],
    EmailVerificationMessage: 'Your code is {####}',
    EmailVerificationSubject: 'Verify',
    VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
    MfaConfiguration: 'OPTIONAL',
    EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:eu-west-1:1:identity/example.com' },
    SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::1:role/sms', ExternalId: 'x' },
    UserPoolTags: { team: 'identity' },
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 5 },
    UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    UserPoolTier: 'ESSENTIALS',
  };
}

describe('adopted pool: the UpdateUserPool request keeps every other setting', () => {
  it('carries back every updatable setting the pool has, with only LambdaConfig changed', () => {
    const pool = describedPool();
    const request = updateRequestFor(pool, withAppTriggers(pool.LambdaConfig, OURS));
    expect(request).toEqual({
      UserPoolId: 'eu-west-1_AbC123dEf',
      PoolName: 'existing-pool',
      Policies: pool.Policies,
      DeletionProtection: 'ACTIVE',
      LambdaConfig: { ...pool.LambdaConfig, ...OURS },
      AutoVerifiedAttributes: ['email'],
      EmailVerificationMessage: 'Your code is {####}',
      EmailVerificationSubject: 'Verify',
      VerificationMessageTemplate: pool.VerificationMessageTemplate,
      MfaConfiguration: 'OPTIONAL',
      EmailConfiguration: pool.EmailConfiguration,
      SmsConfiguration: pool.SmsConfiguration,
      UserPoolTags: { team: 'identity' },
      // The deprecated field is dropped (UpdateUserPool refuses it beside TemporaryPasswordValidityDays)
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
      AccountRecoverySetting: pool.AccountRecoverySetting,
      UserPoolTier: 'ESSENTIALS',
    });
  });

  it('a pool without an id is refused', () => {
    expect(() => updateRequestFor({ ...describedPool(), Id: undefined }, {})).toThrow(/without an Id/);
  });

  it.each([
    ['no triggers yet', undefined, OURS],
    ['other triggers kept', { CustomMessage: 'm' }, { CustomMessage: 'm', ...OURS }],
    ['older app triggers replaced', { PreSignUp: 'old-pre', PostConfirmation: 'old-post' }, OURS],
  ])('attach: %s', (_name, current, expected) => {
    expect(withAppTriggers(current, OURS)).toEqual(expected);
  });

  it.each([
    ['ours removed, others kept', { ...OURS, CustomMessage: 'm' }, { CustomMessage: 'm' }],
    ['a trigger re-pointed by someone else is left alone', { ...OURS, PreSignUp: 'theirs' }, { PreSignUp: 'theirs' }],
    ['nothing attached', undefined, {}],
  ])('detach: %s', (_name, current, expected) => {
    expect(withoutAppTriggers(current, OURS)).toEqual(expected);
  });
});
