import * as path from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  type ContractTable,
  type DynamoAction,
  type FunctionContract,
  POLICY_VARIABLES,
  SECRETS,
  type SecretKey,
  TABLE_ENV,
} from '../../lambdas/platform/contracts';
import { BUNDLE_MAIN_FIELDS, RUNTIME_PROVIDED_MODULES } from '../lambda-bundling';
import { suppressAppFunctionFindings } from '../nag-suppressions';
import { secretLikeReason } from '../secret-patterns';
import type { StageConfig } from '../stage-config';
import { TABLES, type TableKey } from '../table-definitions';

/** Repository root: entries, the lock file and esbuild's working directory are resolved from here. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The tables a function can be given, keyed like TABLES (DataStack.tables fits). */
export type AppTables = Readonly<Record<TableKey, ITable>>;

/** The resources a contract names, as this app's constructs. */
export interface ContractResources {
  readonly tables: AppTables;
  readonly secrets?: Readonly<Partial<Record<SecretKey, ISecret>>>;
  /** The pool for `userPool.poolIdFrom: 'env'` (triggers get their pool policy from `poolStatement`). */
  readonly userPool?: IUserPool;
}

export class SecretInEnvironmentError extends Error {
  override name = 'SecretInEnvironmentError';
}

export interface AppFunctionProps {
  /** Handler file, absolute or relative to the repository root, e.g. `lambdas/handlers/stripe-webhook.ts`. */
  readonly entry: string;
  /** Exported handler name. @default 'handler' */
  readonly handler?: string;
  /** Stage settings: STAGE, PLAN_CATALOG, GRACE_PERIOD_DAYS, REVOKE_ON_DISPUTE and log retention come from here. */
  readonly config: StageConfig;
  /** POWERTOOLS_SERVICE_NAME. @default the construct id */
  readonly serviceName?: string;
  readonly description?: string;
  /** Extra plain (non-secret) variables. Secret-looking values are rejected at synth: use `useSecret`. */
  readonly environment?: Record<string, string>;
  /** @default 512 (arm64; Stripe SDK + JSON work start faster with more CPU) */
  readonly memorySize?: number;
  /** @default 10 seconds (Cognito triggers must pass 5 s or less) */
  readonly timeout?: Duration;
  readonly reservedConcurrentExecutions?: number;
}

/**
 * The one NodejsFunction defaults construct: Node.js 22 on arm64, esbuild minify + source maps, an explicit log group
 * with the stage's retention, active X-Ray tracing, and a role with no managed policies (write to its own log group
 * only; everything else is granted per function with the `use*` helpers).
 *
 * The AWS SDK v3 is bundled, pinned by package-lock: what runs in AWS is the SDK the tests and the shipped-artifact
 * tier ran, not whatever version the runtime ships in that region that month (AWS advises bundling for production).
 * The cost is bundle size and init time; both are measured by `npm run bench` (docs/benchmarks.md has the figures
 * and the decision). Each function logs the SDK version at cold start.
 *
 * Grants and variables come from the function's contract (`useContract`): the handler parses exactly what CDK sets.
 * Secrets: only the ARN is passed; the Lambda reads the value through a bounded-age cache.
 */
export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: LogGroup;
  private contract: FunctionContract | undefined;
  private readonly variables = new Set<string>();
  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;

    for (const [name, value] of Object.entries(props.environment ?? {})) assertNotSecret(this, name, value);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetention,
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.isAbsolute(props.entry) ? props.entry : path.join(REPO_ROOT, props.entry),
      handler: props.handler ?? 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      description: props.description,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      bundling: {
        minify: true,
        // esbuild's per-file size report is noise in synth and test output; warnings and errors still print.
        logLevel: LogLevel.WARNING,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: OutputFormat.CJS,
        // The AWS SDK is bundled (pinned by package-lock): the deployed code runs the SDK the tests ran.
        bundleAwsSDK: true,
        externalModules: [...RUNTIME_PROVIDED_MODULES],
        // ES module builds first (the SDK's dist-es): esbuild keeps only what is imported (lib/lambda-bundling.ts).
        mainFields: [...BUNDLE_MAIN_FIELDS],
      },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? id,
        POWERTOOLS_TRACE_ENABLED: String(config.traceSdkCalls),
        STAGE: config.stage,
        PLAN_CATALOG: JSON.stringify(config.planCatalog.toJSON()),
        CREDIT_PACKS: JSON.stringify(config.creditPacks.toJSON()),
        GRACE_PERIOD_DAYS: String(config.gracePeriodDays),
        REVOKE_ON_DISPUTE: String(config.revokeOnDispute),
        ...props.environment,
      },
    });

    for (const name of Object.keys(props.environment ?? {})) this.variables.add(name);
    this.node.addValidation({ validate: () => this.validateContract() });
    suppressAppFunctionFindings(this.fn, this.role);
  }

  /** Adds a plain variable; secret-looking names or values fail synth (secrets go through `useContract`). */
  addEnvironment(name: string, value: string): this {
    assertNotSecret(this, name, value);
    this.setVariable(name, value);
    return this;
  }

  /**
   * Gives the function exactly what its contract (lambdas/platform/contracts.ts) declares, from the one record the
   * handler parses: each table's variable and its DynamoDB actions (Query on the table's indexes, by name), each
   * secret's ARN variable and GetSecretValue on it (the value never enters the template), USER_POOL_ID and the
   * Cognito actions on this pool, and the stage's access-policy settings it declares (POLICY_VARIABLES). Any other
   * contract variable is set by the feature construct; one left unset fails synth (see `validateContract`).
   */
  useContract(contract: FunctionContract, resources: ContractResources): this {
    this.contract = contract;
    for (const [key, actions] of Object.entries(contract.tables) as [ContractTable, readonly DynamoAction[]][]) {
      this.grantTable(key, resources.tables[key], actions);
    }
    for (const key of contract.secrets) {
      const secret = resources.secrets?.[key];
      if (!secret) throw new Error(`${this.node.path}: the contract needs secret ${key}, none was given`);
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
      );
      this.setVariable(SECRETS[key].arnVar, secret.secretArn);
    }
    const policy: Record<(typeof POLICY_VARIABLES)[number], string> = {
      PAYMENT_REVERSAL: this.config.paymentReversal,
      PAUSED_COLLECTION_ACCESS: this.config.pausedCollectionAccess,
    };
    for (const name of POLICY_VARIABLES) {
      if (contract.variables?.includes(name)) this.setVariable(name, policy[name]);
    }
    if (contract.userPool?.poolIdFrom === 'env') {
      if (!resources.userPool) throw new Error(`${this.node.path}: the contract needs the user pool, none was given`);
      this.setVariable('USER_POOL_ID', resources.userPool.userPoolId);
      this.role.addToPrincipalPolicy(poolStatement(contract, resources.userPool));
    }
    return this;
  }

  private grantTable(key: ContractTable, table: ITable, actions: readonly DynamoAction[]): void {
    const definition = TABLES[key];
    if (definition.envVar !== TABLE_ENV[key]) {
      throw new Error(
        `table ${key}: lib/table-definitions.ts and lambdas/platform/contracts.ts disagree on its variable`,
      );
    }
    this.setVariable(definition.envVar, table.tableName);
    const tableActions = actions.filter((action) => !action.startsWith('Query'));
    const statements: { actions: string[]; resources: string[] }[] = [];
    if (tableActions.length > 0) statements.push({ actions: tableActions, resources: [table.tableArn] });
    const indexes = queriedIndexes(key, actions);
    if (indexes.length > 0) {
      statements.push({ actions: ['Query'], resources: indexes.map((name) => `${table.tableArn}/index/${name}`) });
    }
    for (const statement of statements) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: statement.actions.map((action) => `dynamodb:${action}`).sort(),
          resources: statement.resources,
        }),
      );
    }
  }

  private setVariable(name: string, value: string): void {
    this.fn.addEnvironment(name, value);
    this.variables.add(name);
  }

  /** Synth-time check: every plain variable the contract declares was set (by the feature construct). */
  private validateContract(): string[] {
    return (this.contract?.variables ?? [])
      .filter((name) => !this.variables.has(name))
      .map((name) => `${this.node.path}: the contract declares ${name}, which is not set`);
  }
}

/** The indexes `actions` query: all of the table's for `Query`, the named one for `Query:<IndexName>`. */
function queriedIndexes(key: ContractTable, actions: readonly DynamoAction[]): string[] {
  const all = TABLES[key].globalIndexes.map((index) => index.indexName as string);
  const named = new Set<string>();
  for (const action of actions) {
    if (action === 'Query') for (const name of all) named.add(name);
    else if (action.startsWith('Query:')) {
      const name = action.slice('Query:'.length);
      if (!all.includes(name)) throw new Error(`table ${key} has no index ${name}`);
      named.add(name);
    }
  }
  return [...named].sort();
}

/** The Cognito statement of a contract on `pool` (the triggers attach it through a separate policy: see there). */
export function poolStatement(contract: FunctionContract, pool: IUserPool): iam.PolicyStatement {
  const actions = contract.userPool?.actions ?? [];
  if (actions.length === 0) throw new Error('the contract grants no Cognito action');
  return new iam.PolicyStatement({
    actions: actions.map((action) => `cognito-idp:${action}`).sort(),
    resources: [pool.userPoolArn],
  });
}

function assertNotSecret(scope: Construct, name: string, value: string): void {
  const reason = secretLikeReason(name, Token.isUnresolved(value) ? '' : value);
  if (reason) {
    throw new SecretInEnvironmentError(`${scope.node.path}: environment variable ${name} ${reason}`);
  }
}
