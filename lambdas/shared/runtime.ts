import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import type { z } from 'zod';
import type { PlanCatalog } from '../core/plan-catalog';
import { createCognitoClient, createDynamoDocumentClient, createStripeClient } from './clients';
import { awsEnvSchema, cognitoEnvSchema, parseEnv, policyEnvSchema, stripeEnvSchema, tableEnvSchema } from './config';
import { resolveSecret } from './secrets';

/**
 * Everything a handler needs from its environment, built once per container from an explicit env record
 * (process.env in AWS; the local stack passes its own). Each part is parsed on first use, so a Lambda that
 * never talks to Stripe does not need Stripe settings, and one that does fails loudly at cold start.
 */
export interface Runtime {
  readonly catalog: PlanCatalog;
  readonly policy: z.output<typeof policyEnvSchema>;
  readonly tables: z.output<typeof tableEnvSchema>;
  readonly ddb: DynamoDBDocumentClient;
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly userPoolClientId: string | undefined;
  /** Stripe client with the secret key from Secrets Manager (cached); `timeoutMs` for time-boxed callers. */
  stripe(options?: { timeoutMs?: number; maxNetworkRetries?: number }): Promise<Stripe>;
  webhookSecret(): Promise<string>;
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

export function createRuntime(env: NodeJS.ProcessEnv = process.env, hooks: RuntimeHooks = {}): Runtime {
  const aws = memo(() => parseEnv(awsEnvSchema, env));
  const policy = memo(() => parseEnv(policyEnvSchema, env));
  const tables = memo(() => parseEnv(tableEnvSchema, env));
  const cognitoEnv = memo(() => parseEnv(cognitoEnvSchema, env));
  const stripeEnv = memo(() => parseEnv(stripeEnvSchema, env));
  const ddb = memo(() => {
    const client = createDynamoDocumentClient({ region: aws().AWS_REGION, endpoint: aws().DYNAMODB_ENDPOINT });
    hooks.onClient?.({ kind: 'dynamodb', client });
    return client;
  });
  const cognito = memo(() => {
    const client = createCognitoClient({ region: aws().AWS_REGION, endpoint: aws().COGNITO_ENDPOINT });
    hooks.onClient?.({ kind: 'cognito', client });
    return client;
  });
  const secretKey = memo(() =>
    resolveSecret({
      name: 'Stripe secret key',
      arn: stripeEnv().STRIPE_SECRET_ARN,
      localValue: stripeEnv().STRIPE_SECRET_KEY,
    }),
  );
  const webhookSecret = memo(() =>
    resolveSecret({
      name: 'Stripe webhook signing secret',
      arn: stripeEnv().STRIPE_WEBHOOK_SECRET_ARN,
      localValue: stripeEnv().STRIPE_WEBHOOK_SECRET,
    }),
  );
  const stripeClients = new Map<string, Stripe>();
  return {
    get catalog() {
      return policy().PLAN_CATALOG;
    },
    get policy() {
      return policy();
    },
    get tables() {
      return tables();
    },
    get ddb() {
      return ddb();
    },
    get cognito() {
      return cognito();
    },
    get userPoolId() {
      return cognitoEnv().USER_POOL_ID;
    },
    get userPoolClientId() {
      return cognitoEnv().USER_POOL_CLIENT_ID;
    },
    async stripe(options = {}) {
      const key = `${options.timeoutMs ?? ''}/${options.maxNetworkRetries ?? ''}`;
      const cached = stripeClients.get(key);
      if (cached) return cached;
      const client = createStripeClient({
        secretKey: await secretKey(),
        apiBase: stripeEnv().STRIPE_API_BASE,
        ...options,
      });
      stripeClients.set(key, client);
      hooks.onClient?.({ kind: 'stripe', client });
      return client;
    },
    webhookSecret,
  };
}
