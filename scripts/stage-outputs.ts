import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { TABLES, type TableKey } from '../lib/table-definitions';

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
  const outputs = new Map<string, string>();
  for (const stack of [`${stage}-Data`, `${stage}-Auth`]) {
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
