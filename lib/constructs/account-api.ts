import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { accountDeletionEnvironment } from '../account-deletion-env';
import { ROUTES } from '../route-table';
import type { ApiStack } from '../stacks/api-stack';
import { AppFunction } from './app-function';

export interface AccountApiProps {
  readonly api: ApiStack;
}

/**
 * `DELETE /account` (docs/api.md): one Lambda with its contract (the caller's rows in UserProfiles and Entitlements,
 * tombstones in AuditLog, the Stripe key, AdminDeleteUser on the pool) and the stage's account-deletion settings.
 */
export class AccountApi extends Construct {
  readonly deleteAccount: AppFunction;

  constructor(scope: Construct, id: string, props: AccountApiProps) {
    super(scope, id);
    const { api } = props;
    const route = ROUTES.deleteAccount;
    this.deleteAccount = new AppFunction(this, route.id, {
      entry: route.entry,
      config: api.config,
      description: 'DELETE /account: the caller deletes their account (Stripe, Cognito, rows; tombstones kept)',
      serviceName: route.id,
      // A few Stripe calls (5 s each, one retry) and a handful of DynamoDB and Cognito calls.
      timeout: Duration.seconds(25),
    }).useContract(CONTRACTS.deleteAccount, {
      tables: api.data.tables,
      secrets: { stripeApiKey: api.data.stripeSecrets.apiKey },
      userPool: api.userPool,
    });
    for (const [name, value] of Object.entries(accountDeletionEnvironment(api.config))) {
      this.deleteAccount.addEnvironment(name, value);
    }
    api.addLambdaRoute({ path: route.path, method: HttpMethod[route.method], fn: this.deleteAccount.fn, auth: 'jwt' });
  }
}
