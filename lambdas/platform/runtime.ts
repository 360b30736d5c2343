import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import type { CreditPacks } from '../domain/credit-packs';
import type { PlanCatalog } from '../domain/plan-catalog';
import { createCognitoClient, createDynamoDocumentClient } from './clients';
import { clockFromEnv, type RuntimeClock } from './clock';
import { ConfigError, type ContractEnv, type PolicyEnv, parseContractEnv } from './config';
import type { FunctionContract, SecretKey } from './contracts';
import { SecretValue } from './secrets';

/**
 * Everything a handler needs from its environment, built once per container from its contract: the variables are
 * parsed when the runtime is created (a missing one fails the first invocation with its name), clients are built
 * on first use (a Lambda that never talks to Cognito never builds a Cognito client). The Stripe SDK is imported on
 * first use too (dynamic import, bundled and evaluated lazily by esbuild): a Lambda, or a webhook delivery, that
 * never calls Stripe never loads it.
 */
export interface Runtime<C extends FunctionContract = FunctionContract> {
  readonly catalog: PlanCatalog;
  readonly creditPacks: CreditPacks;
  /** "Now" for the rules: the system clock in AWS, the Stripe emulator's on the local stack (see clock.ts). */
  readonly clock: RuntimeClock;
  readonly policy: PolicyEnv;
  readonly tables: ContractEnv<C>['tables'];
  readonly ddb: DynamoDBDocumentClient;
  readonly cognito: CognitoIdentityProviderClient;
  /** USER_POOL_ID; only for contracts with `userPool.poolIdFrom: 'env'` (throws otherwise). */
  readonly userPoolId: string;
  readonly userPoolClientId: string | undefined;
  /** Stripe client with the secret key (bounded-age cache); `timeoutMs` for time-boxed callers. */
  stripe(options?: { timeoutMs?: number; maxNetworkRetries?: number }): Promise<Stripe>;
  /** A declared secret (throws for one the contract does not declare). */
  secret(key: SecretKey): SecretValue;
}

/** Observers of the SDK clients a runtime creates (benchmarks count calls with SDK middleware through this). */
export interface RuntimeHooks {
  onClient?(
    client:
      | { kind: 'dynamodb'; client: DynamoDBDocumentClient }
      | { kind: 'cognito'; client: CognitoIdentityProviderClient }
      | { kind: 'stripe'; client: Stripe },
  ): void;
}

function memo<T>(build: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    if (!value) value = { v: build() };
    return value.v;
  };
}

export function createRuntime<C extends FunctionContract>(
  contract: C,
  env: NodeJS.ProcessEnv = process.env,
  hooks: RuntimeHooks = {},
): Runtime<C> {
  const parsed = parseContractEnv(contract, env);
  const { aws } = parsed;
  const ddb = memo(() => {
    const client = createDynamoDocumentClient({ region: aws.AWS_REGION, endpoint: aws.DYNAMODB_ENDPOINT });
    hooks.onClient?.({ kind: 'dynamodb', client });
    return client;
  });
  const cognito = memo(() => {
    const client = createCognitoClient({ region: aws.AWS_REGION, endpoint: aws.COGNITO_ENDPOINT });
    hooks.onClient?.({ kind: 'cognito', client });
    return client;
  });
  const secrets = new Map<SecretKey, SecretValue>();
  const secret = (key: SecretKey): SecretValue => {
    const source = (parsed.secrets as Partial<Record<SecretKey, { arn?: string; localValue?: string }>>)[key];
    if (!source) throw new ConfigError(`secret ${key} is not in this function's contract`);
    let value = secrets.get(key);
    if (!value) {
      value = new SecretValue(key, source);
      secrets.set(key, value);
    }
    return value;
  };
  // One client per key and options: a rotated key gets a new client, a cached one is reused.
  const stripeClients = new Map<string, Stripe>();
  return {
    catalog: parsed.policy.PLAN_CATALOG,
    creditPacks: parsed.policy.CREDIT_PACKS,
    clock: clockFromEnv(env),
    policy: parsed.policy,
    tables: parsed.tables,
    get ddb() {
      return ddb();
    },
    get cognito() {
      return cognito();
    },
    get userPoolId() {
      if (!parsed.userPoolId) throw new ConfigError("USER_POOL_ID is not in this function's contract");
      return parsed.userPoolId;
    },
    userPoolClientId: parsed.userPoolClientId,
    async stripe(options = {}) {
      const secretKey = await secret('stripeApiKey').get();
      const key = `${secretKey}/${options.timeoutMs ?? ''}/${options.maxNetworkRetries ?? ''}`;
      const cached = stripeClients.get(key);
      if (cached) return cached;
      const { createStripeClient } = await import('./stripe-client');
      const client = createStripeClient({ secretKey, apiBase: parsed.stripeApiBase, ...options });
      stripeClients.set(key, client);
      hooks.onClient?.({ kind: 'stripe', client });
      return client;
    },
    secret,
  };
}
