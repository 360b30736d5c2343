import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreditPacks } from '../lambdas/domain/credit-packs';
import { PlanCatalog } from '../lambdas/domain/plan-catalog';
import { createCognitoClient, createDynamoDocumentClient } from '../lambdas/platform/clients';
import { startCognitoLocal } from './emulators/cognito-local';
import { startDynalite } from './emulators/dynalite';
import { LocalInbox } from './emulators/inbox';
import type { RunningServer } from './emulators/listen';
import { type LambdaFunction, startLambdaInvokeServer } from './lambda-invoke';
import { createTables, localTableNames, type TableNames, tableEnv } from './tables';
import { ensureUserPool, type LocalUserPool } from './user-pool';

export const LOCAL_REGION = 'us-east-1';

/** Names under which cognito-local's triggers reach our handlers through the Lambda-invoke endpoint. */
export const TRIGGER_FUNCTIONS = { PreSignUp: 'preSignUp', PostConfirmation: 'postConfirmation' } as const;

export interface EmulatorBackendOptions {
  /** Folder for persisted state (dynalite + cognito-local). A fresh temporary folder when absent. */
  stateDir?: string;
  ports?: { dynamodb?: number; cognito?: number; lambdaInvoke?: number };
  catalog?: PlanCatalog;
  /** Wire cognito-local's Pre-Signup / Post-Confirmation to the functions map (default true). */
  triggers?: boolean;
  verbose?: boolean;
}

export interface EmulatorBackend {
  /** The Lambda environment for this backend (tables, endpoints, pool, catalog); add Stripe variables to it. */
  env: Record<string, string>;
  tables: TableNames;
  userPool: LocalUserPool;
  dynamodb: RunningServer;
  cognito: RunningServer;
  lambdaInvoke: RunningServer;
  /** Register trigger handlers here (keys from TRIGGER_FUNCTIONS). */
  functions: Map<string, LambdaFunction>;
  /** What Cognito would have emailed (confirmation codes), newest last. */
  inbox: LocalInbox;
  ddb: DynamoDBDocumentClient;
  cognitoClient: CognitoIdentityProviderClient;
  stop(): Promise<void>;
}

/**
 * The one start-up helper for the emulated AWS side: dynalite with every table, cognito-local with the pool, app
 * client and catalog groups, and the Lambda-invoke endpoint its triggers call. Used by integration tests, the e2e
 * test, benchmarks and `npm start` alike.
 */
export async function startEmulatorBackend(options: EmulatorBackendOptions = {}): Promise<EmulatorBackend> {
  const catalog = options.catalog ?? PlanCatalog.defaults();
  const temporary = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'entitlements-')));
  const started: RunningServer[] = [];
  try {
    const functions = new Map<string, LambdaFunction>();
    const lambdaInvoke = await startLambdaInvokeServer(functions, { port: options.ports?.lambdaInvoke });
    started.push(lambdaInvoke);
    const dynamodb = await startDynalite({
      port: options.ports?.dynamodb,
      ...(temporary ? {} : { path: join(stateDir, 'dynamodb') }),
    });
    started.push(dynamodb);
    const inbox = new LocalInbox();
    const cognito = await startCognitoLocal({
      inbox,
      dataDir: join(stateDir, 'cognito'),
      port: options.ports?.cognito,
      lambdaEndpoint: lambdaInvoke.endpoint,
      triggers: options.triggers === false ? {} : TRIGGER_FUNCTIONS,
      verbose: options.verbose,
    });
    started.push(cognito);

    const tables = localTableNames();
    const rawDdb = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: dynamodb.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await createTables(rawDdb, tables);
    rawDdb.destroy();
    const cognitoClient = createCognitoClient({ region: LOCAL_REGION, endpoint: cognito.endpoint });
    const userPool = await ensureUserPool(cognitoClient, catalog);

    const env: Record<string, string> = {
      STAGE: 'local',
      AWS_REGION: LOCAL_REGION,
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      COGNITO_ENDPOINT: cognito.endpoint,
      USER_POOL_ID: userPool.userPoolId,
      USER_POOL_CLIENT_ID: userPool.userPoolClientId,
      PLAN_CATALOG: JSON.stringify(catalog.toJSON()),
      CREDIT_PACKS: JSON.stringify(CreditPacks.defaults().toJSON()),
      ...tableEnv(tables),
    };
    return {
      env,
      tables,
      userPool,
      dynamodb,
      cognito,
      lambdaInvoke,
      functions,
      inbox,
      ddb: createDynamoDocumentClient({ region: LOCAL_REGION, endpoint: dynamodb.endpoint }),
      cognitoClient,
      async stop() {
        await Promise.all(started.map((server) => server.close()));
        if (temporary) await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(started.map((server) => server.close().catch(() => undefined)));
    if (temporary) await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}
