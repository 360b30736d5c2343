import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { TABLES, type TableKey } from '../lib/table-definitions';

/**
 * The outputs of a deployed stage's stacks (`<stage>-Data`, `<stage>-Auth`, `<stage>-Api`), merged into one map,
 * read with the default AWS credential chain. Fails naming the stack it could not read.
 */
export async function stackOutputs(
  stage: string,
  stacks: readonly ('Data' | 'Auth' | 'Api')[],
  cloudFormation: CloudFormationClient = new CloudFormationClient({}),
): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  for (const suffix of stacks) {
    const stack = `${stage}-${suffix}`;
    let result: DescribeStacksCommandOutput;
    try {
      result = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    } catch (error) {
      throw new Error(`stage ${stage}: cannot read the outputs of stack ${stack} (${(error as Error).message})`, {
        cause: error,
      });
    }
    for (const output of result.Stacks?.[0]?.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue) outputs.set(output.OutputKey, output.OutputValue);
    }
  }
  return outputs;
}

/**
 * The Lambda environment of a deployed stage, read from its stack outputs (`<stage>-Data`, `<stage>-Auth`) with the
 * default AWS credential chain, so operator scripts need no hand-copied table names. Variables already set in the
 * caller's environment win (to point a script at something else on purpose).
 */
export async function stageEnvironment(
  stage: string,
  env: NodeJS.ProcessEnv,
  cloudFormation: CloudFormationClient = new CloudFormationClient({}),
): Promise<NodeJS.ProcessEnv> {
  const outputs = await stackOutputs(stage, ['Data', 'Auth'], cloudFormation);
  const fromOutputs: Record<string, string> = {};
  for (const key of Object.keys(TABLES) as TableKey[]) {
    const value = outputs.get(`${TABLES[key].localName}TableName`);
    if (value) fromOutputs[TABLES[key].envVar] = value;
  }
  const userPoolId = outputs.get('UserPoolId');
  if (userPoolId) fromOutputs.USER_POOL_ID = userPoolId;
  const secretArn = outputs.get('StripeApiKeySecretArn');
  if (secretArn) fromOutputs.STRIPE_SECRET_ARN = secretArn;
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  return { ...fromOutputs, ...set };
}

/** How a client reaches a stage: what the SPA (and `npm run smoke` / `npm run id-token`) needs. */
export interface StageEndpoints {
  stage: string;
  region: string;
  /** Base URL of the HTTP API without a trailing slash (the `ApiUrl` output ends in `/`). */
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Emulator endpoints, on the local stack only. */
  cognitoEndpoint?: string;
  dynamodbEndpoint?: string;
  /** Physical table names that are known (all on the local stack; from `<stage>-Data` outputs in AWS). */
  tables: Partial<Record<TableKey, string>>;
}

const localStackSchema = z.looseObject({
  apiUrl: z.url(),
  region: z.string(),
  userPoolId: z.string(),
  userPoolClientId: z.string(),
  cognitoEndpoint: z.url(),
  dynamodbEndpoint: z.url(),
  tables: z.record(z.string(), z.string()),
});

export class StageNotFoundError extends Error {
  override name = 'StageNotFoundError';
}

/** The stack `npm start` runs, from `$LOCAL_DIR/stack.json` (default `.local`). */
export function localEndpoints(env: NodeJS.ProcessEnv, readFile = readFileSync): StageEndpoints {
  const file = join(resolve(env.LOCAL_DIR ?? '.local'), 'stack.json');
  let text: string;
  try {
    text = readFile(file, 'utf8');
  } catch {
    throw new StageNotFoundError(`${file} not found: start the local stack first (npm start)`);
  }
  const info = localStackSchema.parse(JSON.parse(text));
  const tables: Partial<Record<TableKey, string>> = {};
  for (const key of Object.keys(TABLES) as TableKey[]) {
    const name = info.tables[key];
    if (name) tables[key] = name;
  }
  return {
    stage: 'local',
    region: info.region,
    apiUrl: info.apiUrl.replace(/\/+$/, ''),
    userPoolId: info.userPoolId,
    userPoolClientId: info.userPoolClientId,
    cognitoEndpoint: info.cognitoEndpoint,
    dynamodbEndpoint: info.dynamodbEndpoint,
    tables,
  };
}

/**
 * A stage's endpoints: `local` from the local stack file, any other stage from its stack outputs (`UserPoolId`,
 * `UserPoolClientId` of `<stage>-Auth`, `ApiUrl` of `<stage>-Api`, `*TableName` of `<stage>-Data`). The region is
 * the user pool's (its id starts with it).
 */
export async function stageEndpoints(
  stage: string,
  env: NodeJS.ProcessEnv,
  options: { cloudFormation?: CloudFormationClient; readFile?: typeof readFileSync } = {},
): Promise<StageEndpoints> {
  if (stage === 'local') return localEndpoints(env, options.readFile);
  const outputs = await stackOutputs(stage, ['Auth', 'Api', 'Data'], options.cloudFormation);
  const need = (key: string, stack: string) => {
    const value = outputs.get(key);
    if (!value) throw new StageNotFoundError(`stage ${stage}: stack ${stage}-${stack} has no output ${key}`);
    return value;
  };
  const userPoolId = need('UserPoolId', 'Auth');
  const tables: Partial<Record<TableKey, string>> = {};
  for (const key of Object.keys(TABLES) as TableKey[]) {
    const name = outputs.get(`${TABLES[key].localName}TableName`);
    if (name) tables[key] = name;
  }
  return {
    stage,
    region: userPoolId.split('_')[0] ?? '',
    apiUrl: need('ApiUrl', 'Api').replace(/\/+$/, ''),
    userPoolId,
    userPoolClientId: need('UserPoolClientId', 'Auth'),
    tables,
  };
}
