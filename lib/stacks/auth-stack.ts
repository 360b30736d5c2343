import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ADMIN_GROUP } from '../../lambdas/domain/plan-catalog-schema';
import { addIdentityProviders, sesEmailConfiguration } from '../identity-providers';
import { suppressUserPoolFindings } from '../nag-suppressions';
import type { StageConfig } from '../stage-config';
import type { DataStack } from './data-stack';

export interface AuthStackProps extends StackProps {
  readonly config: StageConfig;
  /**
   * Tables and Stripe secrets, for the Cognito trigger Lambdas (Post-Confirmation creates the Stripe customer and
   * the UserProfiles/Entitlements rows). Passing it creates no dependency until a trigger uses it.
   */
  readonly data: Pick<DataStack, 'tables' | 'stripeSecrets'>;
}

/**
 * Identity: the user pool (email sign-in), the SPA app client and one group per catalog plan plus `admins`.
 *
 * Extension point for triggers (Pre-Signup, Post-Confirmation): create the trigger Lambdas INSIDE this stack
 * (`new CognitoTriggers(authStack, 'Triggers', { ... })` with `authStack.config`, `authStack.data`) and attach them
 * with `authStack.addTrigger(operation, fn)`. A trigger in another stack would make a cross-stack cycle (pool ->
 * function -> pool). Inside the trigger read `event.userPoolId` rather than an env var: referencing the pool id or
 * ARN from the trigger's environment or role policy is a cycle too; grant Cognito actions with an ARN built from
 * `Stack.of(this).formatArn(...)` with a `userpool/*` resource, or a separate `iam.Policy`.
 */
export class AuthStack extends Stack {
  readonly config: StageConfig;
  readonly data: Pick<DataStack, 'tables' | 'stripeSecrets'>;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /** Group name -> CfnUserPoolGroup, catalog plans plus `admins`. */
  readonly groups: ReadonlyMap<string, cognito.CfnUserPoolGroup>;
  /** The Cognito domain (hosted sign-in, OAuth endpoints, federated IdPs), when the stage gives `authDomainPrefix`. */
  readonly domain: cognito.UserPoolDomain | undefined;
  /** The stage's federated identity providers (none by default). */
  readonly identityProviders: readonly cognito.IUserPoolIdentityProvider[];

  constructor(scope: Construct, id: string, props: AuthStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    this.data = props.data;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      userVerification: { emailStyle: cognito.VerificationEmailStyle.CODE },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: config.threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: config.threatProtection
        ? cognito.StandardThreatProtectionMode.FULL_FUNCTION
        : undefined,
      deletionProtection: config.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppressUserPoolFindings(this.userPool, { plusTier: config.threatProtection });
    // SES when the stage names a verified identity; else Cognito's own sender (about 50 emails a day).
    if (config.sesEmail) {
      const cfnPool = this.userPool.node.defaultChild as cognito.CfnUserPool;
      cfnPool.emailConfiguration = sesEmailConfiguration(config.sesEmail);
    }

    const federated = addIdentityProviders(this, this.userPool, config.identityProviders);
    this.identityProviders = federated.resources;
    this.domain = config.authDomainPrefix
      ? this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: config.authDomainPrefix } })
      : undefined;

    this.userPoolClient = this.userPool.addClient('SpaClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: config.allowedOrigins.map((origin) => `${origin}${config.authCallbackPath}`),
        logoutUrls: config.allowedOrigins.map((origin) => `${origin}/`),
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO, ...federated.clientProviders],
    });
    // The client names the providers: CloudFormation must create them first.
    for (const provider of federated.resources) this.userPoolClient.node.addDependency(provider);

    const groups = new Map<string, cognito.CfnUserPoolGroup>();
    const addGroup = (logicalId: string, groupName: string, precedence: number, description: string) => {
      groups.set(
        groupName,
        new cognito.CfnUserPoolGroup(this, logicalId, {
          userPoolId: this.userPool.userPoolId,
          groupName,
          precedence,
          description,
        }),
      );
    };
    for (const plan of config.planCatalog.plans) {
      addGroup(
        `Group${pascal(plan.id)}`,
        plan.group,
        plan.precedence,
        `Plan "${plan.id}": managed by the entitlement sync, do not edit by hand`,
      );
    }
    addGroup(
      'GroupAdmins',
      ADMIN_GROUP.name,
      ADMIN_GROUP.precedence,
      'Operators: never changed by the entitlement sync',
    );
    this.groups = groups;

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }

  /** Attaches a Cognito trigger (e.g. `cognito.UserPoolOperation.PRE_SIGN_UP`); the function must live in this stack. */
  addTrigger(operation: cognito.UserPoolOperation, fn: IFunction): void {
    if (Stack.of(fn) !== this) {
      throw new Error(
        `Cognito trigger ${fn.node.path} must be created inside ${this.stackName} (else a cross-stack cycle)`,
      );
    }
    this.userPool.addTrigger(operation, fn);
  }
}

function pascal(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
