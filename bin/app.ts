#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { createAppStacks } from '../lib/app-stacks';
import { StageConfigError, stageConfigFromContext } from '../lib/stage-config';

/**
 * Run by the CDK CLI (`cdk synth -c stage=dev`), which passes context and the output directory in the environment.
 * Also runnable directly (`npx tsx bin/app.ts -c stage=dev`): then it reads cdk.json's context and `-c key=value`
 * flags itself and writes to cdk.out, which is handy when the CLI cannot read this aws-cdk-lib's assembly version.
 */
function directRunProps(): { outdir: string; context: Record<string, unknown> } | undefined {
  if (process.env.CDK_OUTDIR) return undefined;
  const root = path.resolve(__dirname, '..');
  const cdkJson = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const context: Record<string, unknown> = { ...cdkJson.context };
  const args = process.argv.slice(2);
  args.forEach((arg, index) => {
    if (arg !== '-c' && arg !== '--context') return;
    const pair = args[index + 1] ?? '';
    const eq = pair.indexOf('=');
    if (eq > 0) context[pair.slice(0, eq)] = pair.slice(eq + 1);
  });
  return { outdir: path.join(root, 'cdk.out'), context };
}

const app = new App(directRunProps());

let config: ReturnType<typeof stageConfigFromContext>;
try {
  config = stageConfigFromContext(app.node);
} catch (error) {
  if (error instanceof StageConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// Environment-agnostic unless the CLI knows the account/region (`cdk deploy` with credentials does).
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
createAppStacks(app, config, account && region ? { account, region } : undefined);

// cdk-nag 3 runs as a policy validation plugin at synth: an unacknowledged finding fails `cdk synth`/`cdk deploy`.
// Two packs: AwsSolutions (security) and Serverless (Lambda/API/queue practices); acknowledgements in
// lib/nag-suppressions.ts, each with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

app.synth();
