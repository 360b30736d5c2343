import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsProxy, startAwsProxy } from '../../../../local/aws/aws-proxy';
import type { ShippedFunction } from '../../../../local/aws/model';
import { LocalSecretsManager } from '../../../../local/aws/secrets-manager';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const API_KEY = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:StripeApiKey1234-AbCdEf`;
const SIGNING = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:SigningSecret5678-AbCdEf`;
const MISSING_PREFIX = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:Missing`;

const checkout: ShippedFunction = {
  logicalId: 'CheckoutFunction',
  stackName: 'test',
  constructPath: 'test/Checkout/Function/Resource',
  name: 'Checkout',
  assetDir: '/nonexistent',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  timeoutSeconds: 3,
  memorySize: 128,
  environment: {},
  roleArn: `arn:aws:iam::${ACCOUNT}:role/CheckoutRole`,
  statements: [
    { effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [API_KEY] },
    { effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [`${MISSING_PREFIX}*`] },
  ],
};

const secrets = new LocalSecretsManager();
let proxy: AwsProxy;
const savedEnv = { ...process.env };

beforeAll(async () => {
  proxy = await startAwsProxy({
    functions: [checkout],
    backends: { dynamodb: 'http://127.0.0.1:9', cognito: 'http://127.0.0.1:9' },
    secrets,
    region: REGION,
    accountId: ACCOUNT,
  });
  // Exactly what a shipped function runs with: no endpoint in code, only the environment.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_ACCESS_KEY_ID: checkout.logicalId,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: REGION,
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await proxy?.close();
});

beforeEach(() => {
  secrets.put(API_KEY, 'sk_test_local_key');
  secrets.put(SIGNING, 'whsec_local');
  secrets.requests.clear();
  proxy.denials.length = 0;
});

describe('Secrets Manager through the AWS proxy', () => {
  it('serves @aws-sdk/client-secrets-manager configured only by AWS_ENDPOINT_URL', async () => {
    // Act
    const result = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: API_KEY }));
    // Assess
    expect(result).toMatchObject({
      ARN: API_KEY,
      Name: 'StripeApiKey1234',
      SecretString: 'sk_test_local_key',
      VersionStages: ['AWSCURRENT'],
    });
    expect(result.CreatedDate).toBeInstanceOf(Date);
    expect(secrets.requests.get(API_KEY)).toBe(1);
  });

  it('serves Powertools getSecret, re-fetching with forceFetch so a rotated value is seen', async () => {
    // Act
    const first = await getSecret(API_KEY, { forceFetch: true });
    secrets.put(API_KEY, 'sk_test_rotated');
    const second = await getSecret(API_KEY, { forceFetch: true });
    // Assess
    expect([first, second]).toEqual(['sk_test_local_key', 'sk_test_rotated']);
    expect(secrets.requests.get(API_KEY)).toBe(2);
  });

  it('answers InternalServiceError (500) that the SDK retries: one failure is absorbed, three fail the read', async () => {
    // Prepare
    secrets.failNext(API_KEY, 1);
    // Act
    const recovered = await getSecret(API_KEY, { forceFetch: true });
    secrets.failNext(API_KEY, 3);
    const failed = await getSecret(API_KEY, { forceFetch: true }).catch((caught: Error) => caught);
    // Assess
    expect(recovered).toBe('sk_test_local_key');
    expect(failed).toMatchObject({ name: 'GetParameterError' });
    expect((failed as Error).cause).toMatchObject({
      name: 'InternalServiceError',
      $metadata: { httpStatusCode: 500, attempts: 3 },
    });
    expect(secrets.requests.get(API_KEY)).toBe(2 + 3);
  });

  it('refuses a secret outside the role with AccessDeniedException naming the secret ARN', async () => {
    // Act
    const error = await new SecretsManagerClient({})
      .send(new GetSecretValueCommand({ SecretId: 'SigningSecret5678' }))
      .catch((caught: Error) => caught);
    // Assess
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`secretsmanager:GetSecretValue on resource: ${SIGNING}`),
    });
    expect(proxy.denials).toEqual([
      { function: 'CheckoutFunction', name: 'Checkout', action: 'secretsmanager:GetSecretValue', resource: SIGNING },
    ]);
    expect(secrets.requests.get(SIGNING)).toBeUndefined();
  });

  it('answers ResourceNotFoundException for a granted secret that does not exist', async () => {
    // Act: the role may read any secret named Missing*, but none exists
    const error = await new SecretsManagerClient({})
      .send(new GetSecretValueCommand({ SecretId: 'MissingSecret' }))
      .catch((caught: Error) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    expect(proxy.denials).toEqual([]);
  });
});
