import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, created once per container. Endpoints point at emulators only on the local stack.
 * Short timeouts: triggers have 5 s, API Gateway 30 s; a hung call must fail fast so the caller retries.
 * The Stripe client is in stripe-client.ts, which the runtime imports on first use (the stripe package is ~40 ms of
 * module init); the Cognito client stays here: bundled from the SDK's ES modules it adds ~35 KB and a few ms to the
 * DynamoDB client's init (they share @smithy/* and @aws-sdk/core), and it is only built on first use.
 */

export interface AwsClientOptions {
  region: string;
  endpoint?: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function awsConfig(options: AwsClientOptions) {
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
