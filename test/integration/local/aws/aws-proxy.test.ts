import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolCommand,
  ListGroupsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsProxy, formatDenials, startAwsProxy } from '../../../../local/aws/aws-proxy';
import type { PolicyStatement, ShippedFunction } from '../../../../local/aws/model';
import { LocalSecretsManager } from '../../../../local/aws/secrets-manager';
import { startCognitoLocal } from '../../../../local/emulators/cognito-local';
import { startDynalite } from '../../../../local/emulators/dynalite';
import type { RunningServer } from '../../../../local/emulators/listen';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const ORDERS = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Orders`;
const BY_CUSTOMER = `${ORDERS}/index/ByCustomer`;
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function shippedFunction(logicalId: string, statements: PolicyStatement[]): ShippedFunction {
  return {
    logicalId,
    stackName: 'test',
    constructPath: `test/${logicalId}/Function/Resource`,
    name: logicalId.replace(/Function$/, ''),
    assetDir: '/nonexistent',
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    timeoutSeconds: 3,
    memorySize: 128,
    environment: {},
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${logicalId}Role`,
    statements,
  };
}

let dynalite: RunningServer;
let cognito: RunningServer;
let cognitoDir: string;
let proxy: AwsProxy;
let poolArn: string;
let userPoolId: string;

/** A client as a shipped function gets it: the proxy endpoint, its logical id as access key. */
function clientsFor(logicalId: string) {
  const config = {
    endpoint: proxy.endpoint,
    region: REGION,
    credentials: { accessKeyId: logicalId, secretAccessKey: 'local' },
    maxAttempts: 1,
  };
  return { ddb: new DynamoDBClient(config), cognito: new CognitoIdentityProviderClient(config) };
}

async function seedBackends() {
  const ddb = new DynamoDBClient({ endpoint: dynalite.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  await ddb.send(
    new CreateTableCommand({
      TableName: 'Orders',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'customer', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ByCustomer',
          KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: 'Orders', Item: { id: { S: 'o-1' }, customer: { S: 'c-1' } } }));
  const idp = new CognitoIdentityProviderClient({
    endpoint: cognito.endpoint,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const pool = await idp.send(new CreateUserPoolCommand({ PoolName: 'proxy-test' }));
  userPoolId = pool.UserPool?.Id ?? '';
  poolArn = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${userPoolId}`;
  await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'pro' }));
}

beforeAll(async () => {
  dynalite = await startDynalite();
  cognitoDir = mkdtempSync(path.join(tmpdir(), 'aws-proxy-cognito-'));
  cognito = await startCognitoLocal({ dataDir: cognitoDir });
  await seedBackends();
  const reader = shippedFunction('ReaderFunction', [
    { effect: 'Allow', actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [ORDERS] },
    { effect: 'Allow', actions: ['dynamodb:Query'], resources: [BY_CUSTOMER] },
    { effect: 'Allow', actions: ['cognito-idp:ListGroups'], resources: [poolArn] },
  ]);
  const tableOnly = shippedFunction('TableOnlyFunction', [
    { effect: 'Allow', actions: ['dynamodb:*'], resources: [ORDERS] },
    { effect: 'Deny', actions: ['dynamodb:DeleteItem'], resources: ['*'] },
  ]);
  proxy = await startAwsProxy({
    functions: [reader, tableOnly],
    backends: { dynamodb: dynalite.endpoint, cognito: cognito.endpoint },
    secrets: new LocalSecretsManager(),
    region: REGION,
    accountId: ACCOUNT,
  });
});

afterAll(async () => {
  await proxy?.close();
  await cognito?.close();
  await dynalite?.close();
  rmSync(cognitoDir, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.calls.length = 0;
  proxy.denials.length = 0;
});

describe('AWS proxy: DynamoDB', () => {
  it('passes an allowed GetItem through to dynalite and records it', async () => {
    // Prepare
    const { ddb } = clientsFor('ReaderFunction');
    // Act
    const result = await ddb.send(new GetItemCommand({ TableName: 'Orders', Key: { id: { S: 'o-1' } } }));
    // Assess
    expect(result.Item).toEqual({ id: { S: 'o-1' }, customer: { S: 'c-1' } });
    expect(proxy.calls).toEqual([
      {
        function: 'ReaderFunction',
        name: 'Reader',
        operation: 'GetItem',
        action: 'dynamodb:GetItem',
        resources: [ORDERS],
      },
    ]);
    expect(proxy.denials).toEqual([]);
  });

  it('refuses a Scan the role lacks, as AWS does, and records the denial', async () => {
    // Prepare
    const { ddb } = clientsFor('ReaderFunction');
    // Act
    const error = await ddb.send(new ScanCommand({ TableName: 'Orders' })).catch((caught: Error) => caught);
    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/ReaderFunctionRole/ReaderFunction is not authorized to perform: dynamodb:Scan on resource: ${ORDERS} because no identity-based policy allows the dynamodb:Scan action`,
    });
    expect(proxy.denials).toEqual([
      { function: 'ReaderFunction', name: 'Reader', action: 'dynamodb:Scan', resource: ORDERS },
    ]);
    expect(formatDenials(proxy.denials)).toBe(`Reader (ReaderFunction) is not allowed dynamodb:Scan on ${ORDERS}`);
    expect(proxy.calls).toEqual([]);
  });

  it('checks an index Query against the index ARN, not the table ARN', async () => {
    // Prepare
    const query = new QueryCommand({
      TableName: 'Orders',
      IndexName: 'ByCustomer',
      KeyConditionExpression: 'customer = :c',
      ExpressionAttributeValues: { ':c': { S: 'c-1' } },
    });
    // Act
    const allowed = await clientsFor('ReaderFunction').ddb.send(query);
    const refused = await clientsFor('TableOnlyFunction')
      .ddb.send(query)
      .catch((caught: Error) => caught);
    // Assess
    expect(allowed.Items).toHaveLength(1);
    expect(proxy.calls[0]).toMatchObject({ action: 'dynamodb:Query', resources: [BY_CUSTOMER] });
    expect(refused).toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining(BY_CUSTOMER) });
    expect(proxy.denials).toEqual([
      { function: 'TableOnlyFunction', name: 'TableOnly', action: 'dynamodb:Query', resource: BY_CUSTOMER },
    ]);
  });

  it('checks each transaction item under its own action, and words an explicit deny as AWS does', async () => {
    // Prepare
    const { ddb } = clientsFor('TableOnlyFunction');
    const transaction = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'Orders', Item: { id: { S: 'o-2' } } } },
        { Delete: { TableName: 'Orders', Key: { id: { S: 'o-1' } } } },
      ],
    });
    // Act
    const error = await ddb.send(transaction).catch((caught: Error) => caught);
    // Assess
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/perform: dynamodb:DeleteItem on resource: .*Orders with an explicit deny/),
    });
    expect(proxy.denials).toEqual([
      { function: 'TableOnlyFunction', name: 'TableOnly', action: 'dynamodb:DeleteItem', resource: ORDERS },
    ]);
  });

  it('rejects a caller that is no function of the app', async () => {
    const error = await clientsFor('Stranger')
      .ddb.send(new GetItemCommand({ TableName: 'Orders', Key: { id: { S: 'o-1' } } }))
      .catch((caught: Error) => caught);
    expect(error).toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
  });
});

describe('AWS proxy: Cognito', () => {
  it('forwards an allowed call to cognito-local and refuses one the role lacks', async () => {
    // Prepare
    const { cognito: idp } = clientsFor('ReaderFunction');
    // Act
    const groups = await idp.send(new ListGroupsCommand({ UserPoolId: userPoolId }));
    const refused = await idp
      .send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: 'u', GroupName: 'pro' }))
      .catch((caught: Error) => caught);
    // Assess
    expect(groups.Groups?.map((group) => group.GroupName)).toEqual(['pro']);
    expect(refused).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`cognito-idp:AdminAddUserToGroup on resource: ${poolArn}`),
    });
    expect(proxy.calls.map((call) => call.action)).toEqual(['cognito-idp:ListGroups']);
  });
});
