import { TABLES } from '../../lib/table-definitions';
import type { LocalResourceNames } from './model';
import type { TemplateResource } from './template';

/**
 * Deterministic local physical ids, standing in for what CloudFormation would generate. Known resource types get
 * values the local stack really creates (table names, the user pool id); everything else gets an obviously fake id
 * (`local-<logicalId>`), never an empty string.
 */

export const SECRET_SUFFIX = 'AbCdEf';

const arn = (local: LocalResourceNames, service: string, rest: string) =>
  `arn:aws:${service}:${local.region}:${local.accountId}:${rest}`;

/** The TABLES entry whose CDK logical id stem (`<localName>Table`) starts this logical id; longest stem wins. */
export function tableName(logicalId: string, resource: TemplateResource): string {
  const explicit = resource.Properties?.TableName;
  if (typeof explicit === 'string') return explicit;
  const stems = Object.values(TABLES)
    .map((table) => table.localName)
    .filter((name) => logicalId.startsWith(`${name}Table`))
    .sort((a, b) => b.length - a.length);
  return stems[0] ?? logicalId;
}

export const tableArn = (local: LocalResourceNames, name: string) => arn(local, 'dynamodb', `table/${name}`);
export const secretArn = (local: LocalResourceNames, logicalId: string) =>
  arn(local, 'secretsmanager', `secret:${logicalId}-${SECRET_SUFFIX}`);
export const functionArn = (local: LocalResourceNames, logicalId: string) =>
  arn(local, 'lambda', `function:${logicalId}`);
export const roleArn = (local: LocalResourceNames, logicalId: string) =>
  `arn:aws:iam::${local.accountId}:role/${logicalId}`;
export const userPoolArn = (local: LocalResourceNames) => arn(local, 'cognito-idp', `userpool/${local.userPoolId}`);

/** `Ref` of a resource, as CloudFormation documents it per type. */
export function physicalRef(local: LocalResourceNames, logicalId: string, resource: TemplateResource): string {
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table':
      return tableName(logicalId, resource);
    case 'AWS::Cognito::UserPool':
      return local.userPoolId;
    case 'AWS::Cognito::UserPoolClient':
      return local.userPoolClientId;
    case 'AWS::SecretsManager::Secret':
      return secretArn(local, logicalId);
    default:
      // Function and role names are their logical ids locally; other ids are opaque.
      return resource.Type === 'AWS::Lambda::Function' || resource.Type === 'AWS::IAM::Role'
        ? logicalId
        : `local-${logicalId}`;
  }
}

/** `Fn::GetAtt`; unknown attributes get a fake but deterministic value. */
export function physicalAtt(
  local: LocalResourceNames,
  logicalId: string,
  resource: TemplateResource,
  attribute: string,
): string {
  const known: Record<string, Record<string, () => string>> = {
    'AWS::DynamoDB::Table': {
      Arn: () => tableArn(local, tableName(logicalId, resource)),
      StreamArn: () => `${tableArn(local, tableName(logicalId, resource))}/stream/local`,
    },
    'AWS::Cognito::UserPool': {
      Arn: () => userPoolArn(local),
      ProviderName: () => `cognito-idp.${local.region}.amazonaws.com/${local.userPoolId}`,
      ProviderURL: () => `https://cognito-idp.${local.region}.amazonaws.com/${local.userPoolId}`,
      UserPoolId: () => local.userPoolId,
    },
    'AWS::Cognito::UserPoolClient': { ClientId: () => local.userPoolClientId },
    'AWS::SecretsManager::Secret': { Id: () => secretArn(local, logicalId) },
    'AWS::Lambda::Function': { Arn: () => functionArn(local, logicalId) },
    'AWS::IAM::Role': { Arn: () => roleArn(local, logicalId), RoleId: () => `local-role-id-${logicalId}` },
    'AWS::Logs::LogGroup': { Arn: () => arn(local, 'logs', `log-group:local-${logicalId}:*`) },
    'AWS::ApiGatewayV2::Api': { ApiEndpoint: () => `https://local-${logicalId}.execute-api.invalid` },
  };
  const value = known[resource.Type]?.[attribute];
  return value ? value() : `local-${logicalId}.${attribute}`;
}
