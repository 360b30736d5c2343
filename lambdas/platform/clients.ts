import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';

/**
 * SDK clients, created once per container. Endpoints point at emulators only on the local stack.
 * Short timeouts: triggers have 5 s, API Gateway 30 s; a hung call must fail fast so the caller retries.
 */

interface AwsClientOptions {
  region: string;
  endpoint?: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function awsConfig(options: AwsClientOptions) {
  return {
    region: options.region,
    maxAttempts: 3,
    ...(options.endpoint ? { endpoint: options.endpoint, credentials: LOCAL_CREDENTIALS } : {}),
  };
}

export function createDynamoDocumentClient(options: AwsClientOptions): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(awsConfig(options)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createCognitoClient(options: AwsClientOptions): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient(awsConfig(options));
}

export interface StripeClientOptions {
  secretKey: string;
  /** Local emulator base URL (http://127.0.0.1:12111); absent for the real Stripe. */
  apiBase?: string;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  return new Stripe(options.secretKey, {
    timeout: options.timeoutMs ?? 10_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
    appInfo: { name: 'entitlements-backend' },
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}
