/**
 * The shipped app as the local "shipped-artifact" tier sees it: what a synthesized cloud assembly deploys, with
 * every CloudFormation intrinsic already resolved to a deterministic local value. Pure types, no I/O.
 */

/** Local stand-ins for the physical ids AWS would generate; the local stack creates these resources. */
export interface LocalResourceNames {
  region: string;
  accountId: string;
  userPoolId: string;
  userPoolClientId: string;
}

/** One IAM statement with resolved strings; wildcards (`*`, `?`) are kept for the evaluator. */
export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
}

export interface ShippedFunction {
  logicalId: string;
  stackName: string;
  /** From `aws:cdk:path`, e.g. `dev-Api/StripeWebhook/StripeWebhook/Function/Resource`. */
  constructPath: string;
  /** Short readable id, unique in the app, e.g. `StripeWebhook`, `ReconcileScheduled`. */
  name: string;
  /** Absolute folder of the bundle (index.js). */
  assetDir: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memorySize: number;
  /** `Environment.Variables`, every intrinsic resolved: exactly what the function gets in AWS. */
  environment: Record<string, string>;
  roleArn: string;
  /** From every policy attached to the role and the role's inline policies. */
  statements: PolicyStatement[];
}

export type RouteAuth = 'jwt' | 'none' | 'custom';

/** A Lambda (REQUEST) authorizer of an HTTP API route, as API Gateway would run it. */
export interface ShippedAuthorizer {
  functionLogicalId: string;
  /** e.g. `$request.header.Authorization`: all must be present, and together they are the cache key. */
  identitySource: string[];
  /** 0: no caching. */
  ttlSeconds: number;
  simpleResponses: boolean;
  payloadFormatVersion: string;
}

export interface ShippedRoute {
  method: string;
  path: string;
  auth: RouteAuth;
  functionLogicalId: string;
  /** For `custom` routes. */
  authorizer?: ShippedAuthorizer;
}

/** User pool `LambdaConfig` keys that name a function. */
export type CognitoTriggerName =
  | 'PreSignUp'
  | 'PostConfirmation'
  | 'PreAuthentication'
  | 'PostAuthentication'
  | 'PreTokenGeneration'
  | 'CustomMessage'
  | 'DefineAuthChallenge'
  | 'CreateAuthChallenge'
  | 'VerifyAuthChallengeResponse'
  | 'UserMigration';

export interface ShippedApp {
  functions: ShippedFunction[];
  routes: ShippedRoute[];
  triggers: Partial<Record<CognitoTriggerName, string>>;
  schedules: { expression: string; functionLogicalId: string }[];
  secrets: { logicalId: string; arn: string }[];
  tables: { logicalId: string; name: string; arn: string }[];
  /** Stack name -> output key -> resolved value. */
  outputs: Record<string, Record<string, string>>;
}

/** One AWS call a function made and the proxy let through. */
export interface RecordedCall {
  /** Function logical id (the caller's access key id). */
  function: string;
  /** The function's short name, for messages. */
  name: string;
  /** API operation, e.g. `TransactWriteItems`; one call is recorded per IAM action it needs. */
  operation: string;
  /** IAM action checked, e.g. `dynamodb:PutItem`. */
  action: string;
  resources: string[];
}

/** One AWS call the function's role does not allow. */
export interface Denial {
  function: string;
  name: string;
  action: string;
  resource: string;
}
