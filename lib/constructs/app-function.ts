import * as path from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { RUNTIME_PROVIDED_MODULES } from '../lambda-bundling';
import { suppressAppFunctionFindings } from '../nag-suppressions';
import { secretLikeReason } from '../secret-patterns';
import type { StageConfig } from '../stage-config';
import { TABLES, type TableKey } from '../table-definitions';

/** Repository root: entries, the lock file and esbuild's working directory are resolved from here. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The tables a function can be given, keyed like TABLES (DataStack.tables fits). */
export type AppTables = Readonly<Record<TableKey, ITable>>;
export type TableAccess = 'read' | 'write' | 'readWrite';

const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

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
 * The AWS SDK v3 (`@aws-sdk/*`, `@smithy/*`) is taken from the Node.js 22 runtime, not bundled: bundled, it was ~550 KB
 * of every 1.4 MB bundle and a large share of module init (cold start). The trade-off: the deployed code runs on the
 * SDK version the runtime ships (AWS updates it with the runtime), not the one pinned in package-lock that the tests
 * ran; both versions are v3 with the same API, and `lib-dynamodb` and `client-dynamodb` both come from the runtime,
 * so they match each other. Pin a version again (`bundleAwsSDK: true`, or a layer) if a runtime SDK update ever
 * breaks something; the bench (`bench/bundles.ts`) measures with the same externals.
 *
 * Secrets: `useSecret` grants read and passes only the ARN; the Lambda reads the value at cold start and caches it.
 */
export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const { config } = props;

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
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: OutputFormat.CJS,
        bundleAwsSDK: false,
        externalModules: [...RUNTIME_PROVIDED_MODULES],
      },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? id,
        STAGE: config.stage,
        PLAN_CATALOG: JSON.stringify(config.planCatalog.toJSON()),
        GRACE_PERIOD_DAYS: String(config.gracePeriodDays),
        REVOKE_ON_DISPUTE: String(config.revokeOnDispute),
        ...props.environment,
      },
    });

    suppressAppFunctionFindings(this.fn, this.role);
  }

  /** Adds a plain variable; secret-looking names or values fail synth (secrets go through `useSecret`). */
  addEnvironment(name: string, value: string): this {
    assertNotSecret(this, name, value);
    this.fn.addEnvironment(name, value);
    return this;
  }

  /**
   * Gives the function tables by key: sets each table's env var (TABLES[key].envVar = physical name) and grants
   * `access` on the table and, for reads, on each of its GSIs by name (no `index/*` wildcard).
   */
  useTables(tables: AppTables, access: TableAccess, ...keys: TableKey[]): this {
    if (keys.length === 0) throw new Error(`${this.node.path}: useTables needs at least one table key`);
    for (const key of keys) {
      const table = tables[key];
      const definition = TABLES[key];
      this.addEnvironment(definition.envVar, table.tableName);
      const reads = access !== 'write';
      const indexArns = reads
        ? definition.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`)
        : [];
      const actions = new Set([...(reads ? READ_ACTIONS : []), ...(access !== 'read' ? WRITE_ACTIONS : [])]);
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...actions].sort(), resources: [table.tableArn, ...indexArns] }),
      );
    }
    return this;
  }

  /**
   * Grants read of a secret and passes ONLY its ARN in `envVarName` (which must end in `_ARN`, e.g.
   * `STRIPE_SECRET_ARN`). The value never enters the template or the environment.
   */
  useSecret(secret: ISecret, envVarName: string): this {
    if (!/^[A-Z][A-Z0-9_]*_ARN$/.test(envVarName)) {
      throw new SecretInEnvironmentError(
        `${this.node.path}: secret env var "${envVarName}" must be an UPPER_SNAKE name ending in _ARN (it holds the ARN)`,
      );
    }
    secret.grantRead(this.role);
    this.fn.addEnvironment(envVarName, secret.secretArn);
    return this;
  }

  /**
   * Sets USER_POOL_ID and grants the given Cognito actions (e.g. `cognito-idp:AdminAddUserToGroup`) on the pool.
   * Not for the pool's own triggers: read `event.userPoolId` there, a reference back to the pool is a cycle.
   */
  useUserPool(userPool: IUserPool, ...actions: string[]): this {
    this.addEnvironment('USER_POOL_ID', userPool.userPoolId);
    if (actions.length > 0) userPool.grant(this.role, ...actions);
    return this;
  }
}

function assertNotSecret(scope: Construct, name: string, value: string): void {
  const reason = secretLikeReason(name, Token.isUnresolved(value) ? '' : value);
  if (reason) {
    throw new SecretInEnvironmentError(`${scope.node.path}: environment variable ${name} ${reason}`);
  }
}
