import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Every cdk-nag suppression of the app (AwsSolutions and Serverless packs), each with its reason, each applied to one
 * resource (never a whole stack). Constructs call these helpers where they create the resource, so a suppression cannot outlive it.
 * cdk-nag 3 reads CDK's native acknowledgements (`Validations.of(x).acknowledge`) on the resource or an ancestor;
 * findings with a detail (IAM5) are acknowledged one exact finding at a time (`AwsSolutions-IAM5[Resource::*]`).
 * `test/infra/nag.test.ts` proves nothing else is flagged.
 */

export const NAG_REASONS = {
  cognitoMfa:
    'COG2: MFA is OPTIONAL with TOTP (no SMS). Requiring MFA at sign-up for a consumer SaaS hurts conversion; ' +
    'users can enrol TOTP, and federated sign-ins (Google/Apple) bring their own MFA. Revisit for admin users.',
  cognitoPlusTier:
    'COG8: threat protection needs the Cognito Plus feature plan, billed per monthly active user. It is a stage ' +
    'setting (context threatProtection=true); stages that leave it off rely on the 12-character password policy, ' +
    'optional TOTP and API throttling.',
  lambdaRuntime:
    'L1: Lambdas pin Node.js 22 (the supported LTS the project targets; esbuild target node22 and local Node >= 20 ' +
    'match it). Moving to a newer runtime is a one-line change in AppFunction, done deliberately with a test run.',
  xrayWildcard:
    'IAM5: X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions; AWS requires ' +
    'Resource "*" for active tracing.',
  stripeSecretRotation:
    'SMG4: Stripe API keys and webhook signing secrets are issued and rolled in the Stripe dashboard, not by a ' +
    'rotation Lambda. The operator rolls them in Stripe and runs `aws secretsmanager put-secret-value`; Lambdas ' +
    're-read the value on cold start.',
  deadLetterQueue:
    "SQS3: this queue is itself the dead-letter queue (of the scheduled reconcile's EventBridge target and its " +
    'Lambda on-failure destination); a message in it raises the DeadLetterMessages alarm and is inspected by hand.',
  deadLetterQueueRedrive:
    'Serverless-SQSRedrivePolicy: this queue is itself a dead-letter queue; nothing consumes it automatically, so ' +
    'there is no receive count to redrive on. An operator reads it after the DeadLetterMessages alarm.',
  lambdaDeadLetterQueue:
    'Serverless-LambdaDLQ: a Lambda DLQ only receives failed asynchronous invocations. API Gateway, the HTTP API ' +
    'authorizer and the Cognito triggers invoke synchronously and the caller retries (Stripe, Cognito, the SPA); ' +
    'the one asynchronous function, the scheduled reconcile, has an on-failure destination to its SQS dead-letter ' +
    'queue instead (Lambda destinations supersede the DLQ and carry the error).',
  lambdaLatestRuntime:
    'Serverless-LambdaLatestVersion: Lambdas pin Node.js 22, the LTS the project, its esbuild target and its local ' +
    'runtime (the node@22 devDependency) use; a runtime move is a deliberate one-line change in AppFunction with ' +
    'a full test run, not a synth-time default.',
  alarmEmailRedrive:
    'Serverless-SNSRedrivePolicy: the subscription is an email to a person. An undelivered alarm email stays ' +
    'visible where it matters (alarm state and history, the dashboard), and the alarm notifies again on its next ' +
    'state change; a dead-letter queue of emails would be a second inbox nobody reads.',
  passRoleToCognito:
    "IAM5: the adopted-pool trigger resource passes the pool's own SMS role back to UpdateUserPool (Cognito requires " +
    "iam:PassRole for SmsConfiguration.SnsCallerArn). The role is the existing pool's, unknown at synth, so the " +
    'resource is "*", limited by the iam:PassedToService condition to cognito-idp.amazonaws.com.',
} as const;

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Optional TOTP MFA instead of required MFA (COG2) and, unless enabled, no Plus tier (COG8). */
export function suppressUserPoolFindings(userPool: IConstruct, options: { plusTier: boolean }): void {
  acknowledge(userPool, 'AwsSolutions-COG2', NAG_REASONS.cognitoMfa);
  if (!options.plusTier) acknowledge(userPool, 'AwsSolutions-COG8', NAG_REASONS.cognitoPlusTier);
}

/**
 * Pinned Node.js 22 runtime (L1, LambdaLatestVersion) and no Lambda DLQ (synchronous callers retry; the scheduled
 * reconcile has an on-failure destination) of one AppFunction, and its role's X-Ray wildcard (IAM5 `Resource::*`).
 */
export function suppressAppFunctionFindings(fn: IConstruct, role: IConstruct): void {
  acknowledge(fn, 'AwsSolutions-L1', NAG_REASONS.lambdaRuntime);
  acknowledge(fn, 'Serverless-LambdaLatestVersion', NAG_REASONS.lambdaLatestRuntime);
  acknowledge(fn, 'Serverless-LambdaDLQ', NAG_REASONS.lambdaDeadLetterQueue);
  acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', NAG_REASONS.xrayWildcard);
}

/** Stripe-managed secrets are rotated in Stripe (SMG4). */
export function suppressStripeSecretRotation(secret: IConstruct): void {
  acknowledge(secret, 'AwsSolutions-SMG4', NAG_REASONS.stripeSecretRotation);
}

/** A deliberately public route (APIG4: no authorizer), e.g. the Stripe webhook that authenticates by signature. */
export function suppressPublicRoute(route: IConstruct, reason: string): void {
  acknowledge(route, 'AwsSolutions-APIG4', `APIG4: ${reason}`);
}

/** A queue that is itself a dead-letter queue needs none of its own (SQS3). */
export function suppressDeadLetterQueueFindings(queue: IConstruct): void {
  acknowledge(queue, 'AwsSolutions-SQS3', NAG_REASONS.deadLetterQueue);
  acknowledge(queue, 'Serverless-SQSRedrivePolicy', NAG_REASONS.deadLetterQueueRedrive);
}

/** An email subscription of the alarm topic has no redrive queue (Serverless-SNSRedrivePolicy). */
export function suppressAlarmEmailFindings(subscription: IConstruct): void {
  acknowledge(subscription, 'Serverless-SNSRedrivePolicy', NAG_REASONS.alarmEmailRedrive);
}

/** The adopted-pool trigger resource's PassRole policy (lib/adopted-pool/pool-triggers.ts). */
export function suppressPassRoleToCognito(policy: IConstruct): void {
  acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', NAG_REASONS.passRoleToCognito);
}
