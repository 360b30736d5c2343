import { isRecord } from './template';

/**
 * What an AWS SDK v3 JSON-protocol request asks IAM for: the service and operation from `X-Amz-Target`, and the
 * (action, resource) pairs AWS authorizes, read from the body. DynamoDB transactions have no IAM action of their
 * own: AWS checks each item against PutItem/UpdateItem/DeleteItem/ConditionCheckItem/GetItem, and so do we.
 * Operations without a resource in the body (ListTables, ListSecrets...) are checked against `*`.
 */

export type AwsService = 'dynamodb' | 'cognito-idp' | 'secretsmanager';

export interface ActionCheck {
  action: string;
  resource: string;
}

export interface ArnContext {
  region: string;
  accountId: string;
  /** Full ARN for a Secrets Manager SecretId (a name or partial ARN must match the secret's real ARN). */
  secretArn(secretId: string): string;
}

const TARGET_PREFIXES: Record<string, AwsService> = {
  DynamoDB_20120810: 'dynamodb',
  AWSCognitoIdentityProviderService: 'cognito-idp',
  secretsmanager: 'secretsmanager',
};

/** `DynamoDB_20120810.GetItem` -> { service: 'dynamodb', operation: 'GetItem' }. */
export function targetOf(target: string | undefined): { service: AwsService; operation: string } | undefined {
  const [prefix = '', operation] = (target ?? '').split('.');
  const service = TARGET_PREFIXES[prefix];
  return service && operation ? { service, operation } : undefined;
}

export function checksOf(service: AwsService, operation: string, body: Record<string, unknown>, ctx: ArnContext) {
  const arn = (kind: string, rest: string) => `arn:aws:${kind}:${ctx.region}:${ctx.accountId}:${rest}`;
  const single = (resource: string): ActionCheck[] => [{ action: `${service}:${operation}`, resource }];
  if (service === 'cognito-idp') {
    return single(typeof body.UserPoolId === 'string' ? arn('cognito-idp', `userpool/${body.UserPoolId}`) : '*');
  }
  if (service === 'secretsmanager') {
    return single(typeof body.SecretId === 'string' ? ctx.secretArn(body.SecretId) : '*');
  }
  const table = (name: string) => (name.startsWith('arn:') ? name : arn('dynamodb', `table/${name}`));
  return dynamoChecks(operation, body, table);
}

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

function dynamoChecks(operation: string, body: Record<string, unknown>, table: (name: string) => string) {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = Array.isArray(body.TransactItems) ? body.TransactItems : [];
    return items.flatMap((item: unknown) =>
      Object.entries(isRecord(item) ? item : {}).flatMap(([kind, request]) => {
        const action = TRANSACT_ACTIONS[kind];
        const name = isRecord(request) ? request.TableName : undefined;
        return action && typeof name === 'string' ? [{ action: `dynamodb:${action}`, resource: table(name) }] : [];
      }),
    );
  }
  const action = `dynamodb:${operation}`;
  if (isRecord(body.RequestItems)) {
    return Object.keys(body.RequestItems).map((name) => ({ action, resource: table(name) }));
  }
  if (typeof body.TableName !== 'string') return [{ action, resource: '*' }];
  const index = typeof body.IndexName === 'string' && (operation === 'Query' || operation === 'Scan');
  return [{ action, resource: index ? `${table(body.TableName)}/index/${body.IndexName}` : table(body.TableName) }];
}
