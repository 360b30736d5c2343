import { describe, expect, it } from 'vitest';
import { type ArnContext, checksOf, targetOf } from '../../../../local/aws/aws-actions';

const CTX: ArnContext = {
  region: 'eu-west-1',
  accountId: '111122223333',
  secretArn: (id) => (id === 'Token' ? 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:Token-AbCdEf' : id),
};
const table = (name: string) => `arn:aws:dynamodb:eu-west-1:111122223333:table/${name}`;

describe('targetOf', () => {
  it.each([
    ['DynamoDB_20120810.GetItem', { service: 'dynamodb', operation: 'GetItem' }],
    [
      'AWSCognitoIdentityProviderService.AdminAddUserToGroup',
      { service: 'cognito-idp', operation: 'AdminAddUserToGroup' },
    ],
    ['secretsmanager.GetSecretValue', { service: 'secretsmanager', operation: 'GetSecretValue' }],
    ['AmazonSSM.GetParameter', undefined],
    ['DynamoDB_20120810', undefined],
    [undefined, undefined],
  ])('%s -> %o', (target, expected) => {
    expect(targetOf(target)).toEqual(expected);
  });
});

describe('checksOf', () => {
  it.each<[string, 'dynamodb' | 'cognito-idp' | 'secretsmanager', string, Record<string, unknown>, unknown]>([
    [
      'item on a table',
      'dynamodb',
      'GetItem',
      { TableName: 'Orders' },
      [{ action: 'dynamodb:GetItem', resource: table('Orders') }],
    ],
    [
      'a table given by ARN',
      'dynamodb',
      'PutItem',
      { TableName: table('Orders') },
      [{ action: 'dynamodb:PutItem', resource: table('Orders') }],
    ],
    [
      'query on an index',
      'dynamodb',
      'Query',
      { TableName: 'Orders', IndexName: 'ByCustomer' },
      [{ action: 'dynamodb:Query', resource: `${table('Orders')}/index/ByCustomer` }],
    ],
    [
      'scan on an index',
      'dynamodb',
      'Scan',
      { TableName: 'Orders', IndexName: 'ByDay' },
      [{ action: 'dynamodb:Scan', resource: `${table('Orders')}/index/ByDay` }],
    ],
    [
      'batch over two tables',
      'dynamodb',
      'BatchWriteItem',
      { RequestItems: { A: [], B: [] } },
      [
        { action: 'dynamodb:BatchWriteItem', resource: table('A') },
        { action: 'dynamodb:BatchWriteItem', resource: table('B') },
      ],
    ],
    [
      'transaction: each item under its own action',
      'dynamodb',
      'TransactWriteItems',
      {
        TransactItems: [
          { Put: { TableName: 'A' } },
          { Update: { TableName: 'B' } },
          { Delete: { TableName: 'A' } },
          { ConditionCheck: { TableName: 'C' } },
        ],
      },
      [
        { action: 'dynamodb:PutItem', resource: table('A') },
        { action: 'dynamodb:UpdateItem', resource: table('B') },
        { action: 'dynamodb:DeleteItem', resource: table('A') },
        { action: 'dynamodb:ConditionCheckItem', resource: table('C') },
      ],
    ],
    [
      'transactional get',
      'dynamodb',
      'TransactGetItems',
      { TransactItems: [{ Get: { TableName: 'A' } }] },
      [{ action: 'dynamodb:GetItem', resource: table('A') }],
    ],
    ['no table: checked against *', 'dynamodb', 'ListTables', {}, [{ action: 'dynamodb:ListTables', resource: '*' }]],
    [
      'user pool',
      'cognito-idp',
      'AdminAddUserToGroup',
      { UserPoolId: 'eu-west-1_p' },
      [
        {
          action: 'cognito-idp:AdminAddUserToGroup',
          resource: 'arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_p',
        },
      ],
    ],
    [
      'secret by name',
      'secretsmanager',
      'GetSecretValue',
      { SecretId: 'Token' },
      [
        {
          action: 'secretsmanager:GetSecretValue',
          resource: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:Token-AbCdEf',
        },
      ],
    ],
    [
      'no secret: checked against *',
      'secretsmanager',
      'ListSecrets',
      {},
      [{ action: 'secretsmanager:ListSecrets', resource: '*' }],
    ],
  ])('%s', (_case, service, operation, body, expected) => {
    expect(checksOf(service, operation, body, CTX)).toEqual(expected);
  });
});
