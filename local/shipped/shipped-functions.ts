import { type AwsProxy, startAwsProxy } from '../aws/aws-proxy';
import { loadCloudAssembly } from '../aws/cloud-assembly';
import type { ShippedApp, ShippedFunction } from '../aws/model';
import { LocalSecretsManager } from '../aws/secrets-manager';
import { BundleFunction } from './bundle-function';

/** The account id the local ARNs carry (AWS's documentation example account). */
export const LOCAL_ACCOUNT_ID = '123456789012';

export interface ShippedFunctionsOptions {
  /** A synthesized cloud assembly (see synth.ts). */
  assemblyDir: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  backends: { dynamodb: string; cognito: string };
  /** The Stripe values the operator would `put-secret-value`; absent ones keep CDK's random placeholder. */
  stripe: { apiBase?: string; secretKey?: string; webhookSecret?: string };
  /** The Stripe emulator's clock, which the functions follow as on the source-mode local stack. */
  clockUrl?: string;
  /** Every line a function logs (its stdout/stderr): tests assert or drop them, `npm start` prints them. */
  onLog?: (functionName: string, line: string) => void;
}

export interface ShippedFunctions {
  app: ShippedApp;
  proxy: AwsProxy;
  secrets: LocalSecretsManager;
  /** By the template's logical id. */
  functions: Map<string, BundleFunction>;
  byName(name: string): BundleFunction;
  stop(): Promise<void>;
}

/**
 * Runs every function of a synthesized assembly from its bundle, with exactly its template environment plus what
 * the Lambda runtime adds (region, credentials naming the function, the local AWS endpoint) and the Stripe
 * emulator's address. Every AWS call goes through the IAM-checking proxy; secrets come from a local Secrets Manager
 * holding what an operator would have stored.
 */
export async function startShippedFunctions(options: ShippedFunctionsOptions): Promise<ShippedFunctions> {
  const app = loadCloudAssembly(options.assemblyDir, {
    region: options.region,
    accountId: LOCAL_ACCOUNT_ID,
    userPoolId: options.userPoolId,
    userPoolClientId: options.userPoolClientId,
  });
  const secrets = seededSecrets(app, options.stripe);
  const proxy = await startAwsProxy({
    functions: app.functions,
    backends: options.backends,
    secrets,
    region: options.region,
    accountId: LOCAL_ACCOUNT_ID,
  });
  const functions = new Map(
    app.functions.map((fn) => [fn.logicalId, bundleFunction(fn, runtimeEnv(fn, options, proxy.endpoint), options)]),
  );
  return {
    app,
    proxy,
    secrets,
    functions,
    byName(name) {
      const fn = app.functions.find((candidate) => candidate.name === name);
      const bundle = fn && functions.get(fn.logicalId);
      if (!bundle) throw new Error(`no shipped function ${name} (have ${app.functions.map((f) => f.name).join(', ')})`);
      return bundle;
    },
    async stop() {
      await Promise.all([...functions.values()].map((fn) => fn.close()));
      await proxy.close();
    },
  };
}

function bundleFunction(fn: ShippedFunction, env: Record<string, string>, options: ShippedFunctionsOptions) {
  return new BundleFunction({
    name: fn.name,
    arn: `arn:aws:lambda:${options.region}:${LOCAL_ACCOUNT_ID}:function:${fn.logicalId}`,
    assetDir: fn.assetDir,
    handler: fn.handler,
    timeoutSeconds: fn.timeoutSeconds,
    memorySize: fn.memorySize,
    env,
    ...(options.onLog ? { onLog: (line: string) => options.onLog?.(fn.name, line) } : {}),
  });
}

/** The template's variables, then what the Lambda service sets (it wins, as in AWS), then the emulator endpoints. */
function runtimeEnv(
  fn: ShippedFunction,
  options: ShippedFunctionsOptions,
  awsEndpoint: string,
): Record<string, string> {
  const usesStripe = Object.keys(fn.environment).some((name) => name === 'STRIPE_SECRET_ARN');
  return {
    ...fn.environment,
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: fn.assetDir,
    TZ: ':UTC',
    // The caller's identity for the IAM check: the access key names the function (its role's statements apply).
    AWS_ACCESS_KEY_ID: fn.logicalId,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL: awsEndpoint,
    ...(usesStripe && options.stripe.apiBase ? { STRIPE_API_BASE: options.stripe.apiBase } : {}),
    ...(options.clockUrl ? { EMULATOR_CLOCK_URL: options.clockUrl } : {}),
    // A function that verifies tokens itself (the entitlements authorizer) finds cognito-local's issuer here; in AWS
    // it derives https://cognito-idp.<region>.amazonaws.com/<pool> from its template variables.
    ...('USER_POOL_CLIENT_ID' in fn.environment
      ? { COGNITO_ISSUER: `${options.backends.cognito}/${options.userPoolId}` }
      : {}),
  };
}

/** The two Stripe secrets hold what the operator stored; any other secret keeps a CDK-style random placeholder. */
function seededSecrets(app: ShippedApp, stripe: ShippedFunctionsOptions['stripe']): LocalSecretsManager {
  const secrets = new LocalSecretsManager();
  for (const secret of app.secrets) {
    const value = secret.logicalId.startsWith('StripeApiKey')
      ? stripe.secretKey
      : secret.logicalId.startsWith('StripeWebhookSigningSecret')
        ? stripe.webhookSecret
        : undefined;
    secrets.put(secret.arn, value ?? 'Q2Rk-placeholder-generated-by-CloudFormation');
  }
  return secrets;
}
