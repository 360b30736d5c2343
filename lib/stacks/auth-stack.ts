import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ADMIN_GROUP } from '../../lambdas/domain/plan-catalog-schema';
import { AdoptedPoolTriggers } from '../adopted-pool/pool-triggers';
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
  /** The pool: created by this stack, or adopted (`existingUserPool`: imported by id, never changed but for triggers). */
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** Whether the pool is adopted (the stack does not own it). */
  readonly adopted: boolean;
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

    this.adopted = config.existingUserPool !== undefined;
    this.userPool = config.existingUserPool
      ? cognito.UserPool.fromUserPoolId(this, 'UserPool', config.existingUserPool.userPoolId)
      : this.createUserPool(config);

    const federated = addIdentityProviders(this, this.userPool, config.identityProviders);
    this.identityProviders = federated.resources;
    this.domain = config.authDomainPrefix
      ? this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: config.authDomainPrefix } })
      : undefined;

    const clientId = config.existingUserPool?.userPoolClientId;
    this.userPoolClient = clientId
      ? cognito.UserPoolClient.fromUserPoolClientId(this, 'SpaClient', clientId)
      : this.createClient(config, federated);

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

  private createUserPool(config: StageConfig): cognito.UserPool {
    const userPool = new cognito.UserPool(this, 'UserPool', {
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
    suppressUserPoolFindings(userPool, { plusTier: config.threatProtection });
    // SES when the stage names a verified identity; else Cognito's own sender (about 50 emails a day).
    if (config.sesEmail) {
      const cfnPool = userPool.node.defaultChild as cognito.CfnUserPool;
      cfnPool.emailConfiguration = sesEmailConfiguration(config.sesEmail);
    }
    return userPool;
  }

  private createClient(
    config: StageConfig,
    federated: ReturnType<typeof addIdentityProviders>,
  ): cognito.UserPoolClient {
    const client = this.userPool.addClient('SpaClient', {
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
    for (const provider of federated.resources) client.node.addDependency(provider);
    return client;
  }

  /** Attaches a Cognito trigger (e.g. `cognito.UserPoolOperation.PRE_SIGN_UP`); the function must live in this stack. */
  addTrigger(operation: cognito.UserPoolOperation, fn: IFunction): void {
    if (Stack.of(fn) !== this) {
      throw new Error(
        `Cognito trigger ${fn.node.path} must be created inside ${this.stackName} (else a cross-stack cycle)`,
      );
    }
    if (!(this.userPool instanceof cognito.UserPool)) {
      throw new Error('An adopted user pool takes its triggers through attachAppTriggers (a custom resource)');
    }
    this.userPool.addTrigger(operation, fn);
  }

  /**
   * The app's Pre-Signup and Post-Confirmation triggers: on the stack's own pool as CDK triggers; on an adopted
   * pool through a custom resource that changes only those two triggers (lib/adopted-pool/pool-triggers.ts).
   */
  attachAppTriggers(triggers: { preSignUp: IFunction; postConfirmation: IFunction }): AdoptedPoolTriggers | undefined {
    if (!this.adopted) {
      this.addTrigger(cognito.UserPoolOperation.PRE_SIGN_UP, triggers.preSignUp);
      this.addTrigger(cognito.UserPoolOperation.POST_CONFIRMATION, triggers.postConfirmation);
      return undefined;
    }
    return new AdoptedPoolTriggers(this, 'AdoptedPoolTriggers', {
      config: this.config,
      userPool: this.userPool,
      ...triggers,
    });
  }
}

function pascal(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
