import { Match } from 'aws-cdk-lib/assertions';
import { UserPoolOperation } from 'aws-cdk-lib/aws-cognito';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../lambdas/domain/default-catalog';
import { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import { ADMIN_GROUP } from '../../lambdas/domain/plan-catalog-schema';
import { AppFunction } from '../../lib/constructs/app-function';
import { createTestApp, templateOf } from './support';

describe('AuthStack', () => {
  const testApp = createTestApp();
  const template = templateOf(testApp.auth);

  it('is named after the stage', () => {
    expect(testApp.auth.stackName).toBe('dev-Auth');
  });

  it('has one email-sign-in user pool with self sign-up, verification and a strong password policy', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      DeletionProtection: 'INACTIVE',
      UserPoolTier: 'ESSENTIALS',
    });
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('turns deletion protection on and can enable threat protection outside dev', () => {
    const prod = createTestApp({
      stage: 'prod',
      overrides: { allowedOrigins: 'https://app.example.com', threatProtection: 'true' },
    });
    templateOf(prod.auth).hasResourceProperties('AWS::Cognito::UserPool', {
      DeletionProtection: 'ACTIVE',
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('has an SPA client without secret: SRP + refresh, code flow back to the allowed origins', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: testApp.config.allowedOrigins.map((origin) => `${origin}/auth/callback`),
    });
  });

  it('has one group per catalog plan with its precedence, plus admins at precedence 1', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map((group) => ({
      name: group.Properties.GroupName,
      precedence: group.Properties.Precedence,
    }));
    const expected = [
      { name: 'free', precedence: 50 },
      { name: 'trial', precedence: 45 },
      { name: 'starter', precedence: 40 },
      { name: 'pro', precedence: 30 },
      { name: 'business', precedence: 25 },
      { name: 'enterprise', precedence: 3 },
      { name: ADMIN_GROUP.name, precedence: 1 },
    ];
    expect(groups).toEqual(expect.arrayContaining(expected));
    expect(groups).toHaveLength(expected.length);
    template.allResourcesProperties('AWS::Cognito::UserPoolGroup', {
      UserPoolId: { Ref: Match.stringLikeRegexp('^UserPool') },
    });
  });

  it('follows a stage catalog override', () => {
    const catalog = structuredClone(DEFAULT_CATALOG);
    const pro = catalog.plans.find((plan) => plan.id === 'pro');
    if (!pro) throw new Error('fixture: no pro plan');
    pro.group = 'pro-plan';
    pro.precedence = 31;
    const custom = createTestApp({ overrides: { planCatalog: JSON.stringify(catalog) } });
    templateOf(custom.auth).hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'pro-plan',
      Precedence: 31,
    });
    expect(custom.config.planCatalog.managedGroups()).toContain('pro-plan');
    expect(PlanCatalog.defaults().managedGroups()).not.toContain('pro-plan');
  });

  it('outputs the pool id and the client id', () => {
    template.hasOutput('UserPoolId', { Value: { Ref: Match.stringLikeRegexp('^UserPool') } });
    template.hasOutput('UserPoolClientId', { Value: { Ref: Match.stringLikeRegexp('^UserPoolSpaClient') } });
  });

  it('attaches triggers created in the stack and refuses one from another stack (a cross-stack cycle)', () => {
    const wired = createTestApp();
    const entry = 'test/infra/fixtures/noop-handler.ts';
    // Pre-Signup and Post-Confirmation are taken by CognitoTriggers (test/infra/cognito-triggers.test.ts).
    const local = new AppFunction(wired.auth, 'CustomMessage', { entry, config: wired.config });
    wired.auth.addTrigger(UserPoolOperation.CUSTOM_MESSAGE, local.fn);
    templateOf(wired.auth).hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { CustomMessage: Match.anyValue() },
    });
    const foreign = new AppFunction(wired.api, 'Foreign', { entry, config: wired.config });
    expect(() => wired.auth.addTrigger(UserPoolOperation.POST_CONFIRMATION, foreign.fn)).toThrow(/cycle/);
  });
});
