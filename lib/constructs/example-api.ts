import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { ROUTES } from '../route-table';
import type { ApiStack } from '../stacks/api-stack';
import { AppFunction } from './app-function';
import { EntitlementsAuthorizers } from './entitlements-authorizer';

export interface ExampleApiProps {
  readonly api: ApiStack;
}

/**
 * The example protected routes (docs/feature-gate.md), both served by one small Lambda:
 * - `GET /example/reports` behind the entitlements authorizer (`feature:scheduled-backups`, pro and up);
 * - `GET /example/team` behind the Cognito JWT authorizer, gated in the Lambda with the feature gate
 *   (`team-management`, business and up).
 * They show adopters both ways in a deployed stack; remove this construct from lib/app-stacks.ts to drop them.
 */
export class ExampleApi extends Construct {
  readonly fn: AppFunction;
  readonly authorizers: EntitlementsAuthorizers;

  constructor(scope: Construct, id: string, props: ExampleApiProps) {
    super(scope, id);
    const { api } = props;
    this.authorizers = new EntitlementsAuthorizers(this, 'Authorizers', {
      config: api.config,
      userPool: api.userPool,
      userPoolClient: api.userPoolClient,
      entitlementsTable: api.data.tables.entitlements,
    });
    this.fn = new AppFunction(this, 'Reports', {
      entry: ROUTES.exampleReports.entry,
      config: api.config,
      description: 'GET /example/reports and /example/team: example routes gated by plan',
      serviceName: 'ExampleReports',
      memorySize: 256,
    }).useContract(CONTRACTS.exampleReports, { tables: api.data.tables });

    api.addLambdaRoute({
      path: ROUTES.exampleReports.path,
      method: HttpMethod.GET,
      fn: this.fn.fn,
      auth: this.authorizers.forRequirement(ROUTES.exampleReports.requires),
    });
    api.addLambdaRoute({ path: ROUTES.exampleTeam.path, method: HttpMethod.GET, fn: this.fn.fn, auth: 'jwt' });
  }
}
