import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import type { AuthStack } from '../stacks/auth-stack';
import { AppFunction, poolStatement } from './app-function';

export interface CognitoTriggersProps {
  /** The stack that owns the pool: the trigger functions are created in it (a cross-stack trigger is a cycle). */
  readonly auth: AuthStack;
  /** Let sign-ups through when the duplicate lookup fails. @default false (fail closed) */
  readonly preSignUpFailOpen?: boolean;
}

/** Cognito waits 5 s for a trigger; a function running longer only burns money. */
const TRIGGER_TIMEOUT = Duration.seconds(5);

/**
 * The Pre-Signup and Post-Confirmation triggers of the AuthStack's pool, least privilege.
 *
 * The pool <-> trigger <-> policy cycle: the pool names the function (LambdaConfig), and the function's default
 * policy is a dependency of the function; a Cognito grant naming the pool ARN in that default policy makes
 * pool -> function -> policy -> pool. The Cognito grants therefore live in a separate `iam.Policy` attached to
 * the role: the function does not depend on it, so the pool ARN can be named exactly (no `userpool/*`). The
 * handlers read the pool id from `event.userPoolId`, so no environment variable names the pool either.
 */
export class CognitoTriggers extends Construct {
  readonly preSignUp: AppFunction;
  readonly postConfirmation: AppFunction;
  readonly preSignUpPoolPolicy: iam.Policy;
  readonly postConfirmationPoolPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: CognitoTriggersProps) {
    super(scope, id);
    const { auth } = props;
    const { config, data, userPool } = auth;

    this.preSignUp = new AppFunction(this, 'PreSignUp', {
      entry: 'lambdas/handlers/pre-signup.ts',
      config,
      serviceName: 'pre-signup',
      description: 'Cognito Pre-Signup: one account per email, links federated identities to native users',
      timeout: TRIGGER_TIMEOUT,
      environment: { PRE_SIGNUP_FAIL_OPEN: String(props.preSignUpFailOpen ?? false) },
    }).useContract(CONTRACTS.preSignUp, { tables: data.tables });
    this.preSignUpPoolPolicy = new iam.Policy(this, 'PreSignUpPoolAccess', {
      roles: [this.preSignUp.role],
      statements: [poolStatement(CONTRACTS.preSignUp, userPool)],
    });

    this.postConfirmation = new AppFunction(this, 'PostConfirmation', {
      entry: 'lambdas/handlers/post-confirmation.ts',
      config,
      serviceName: 'post-confirmation',
      description: 'Cognito Post-Confirmation: Stripe customer, UserProfiles, Entitlements, free group (idempotent)',
      timeout: TRIGGER_TIMEOUT,
    }).useContract(CONTRACTS.postConfirmation, {
      tables: data.tables,
      secrets: { stripeApiKey: data.stripeSecrets.apiKey },
    });
    this.postConfirmationPoolPolicy = new iam.Policy(this, 'PostConfirmationPoolAccess', {
      roles: [this.postConfirmation.role],
      statements: [poolStatement(CONTRACTS.postConfirmation, userPool)],
    });

    auth.attachAppTriggers({ preSignUp: this.preSignUp.fn, postConfirmation: this.postConfirmation.fn });
  }
}
