import {
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PlanCatalog } from '../lambdas/domain/plan-catalog';
import { ADMIN_GROUP } from '../lambdas/domain/plan-catalog-schema';

export interface LocalUserPool {
  userPoolId: string;
  userPoolClientId: string;
}

const POOL_NAME = 'entitlements-local';
const CLIENT_NAME = 'spa';

/**
 * The local counterpart of the CDK AuthStack: an email sign-in pool, an SPA client without secret, and one group
 * per catalog plan plus `admins`. Reuses a pool that already exists (persisted local state).
 */
export async function ensureUserPool(
  cognito: CognitoIdentityProviderClient,
  catalog: PlanCatalog,
): Promise<LocalUserPool> {
  const pools = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((pool) => pool.Name === POOL_NAME)?.Id;
  if (!userPoolId) {
    const created = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: POOL_NAME,
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
      }),
    );
    userPoolId = created.UserPool?.Id;
    if (!userPoolId) throw new Error('cognito-local did not return a user pool id');
    for (const group of [...catalog.plans.map((p) => ({ name: p.group, precedence: p.precedence })), ADMIN_GROUP]) {
      await cognito.send(
        new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group.name, Precedence: group.precedence }),
      );
    }
  }
  const clients = await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  let userPoolClientId = clients.UserPoolClients?.find((client) => client.ClientName === CLIENT_NAME)?.ClientId;
  if (!userPoolClientId) {
    const created = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: CLIENT_NAME,
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    userPoolClientId = created.UserPoolClient?.ClientId;
    if (!userPoolClientId) throw new Error('cognito-local did not return an app client id');
  }
  return { userPoolId, userPoolClientId };
}
