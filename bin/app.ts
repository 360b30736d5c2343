#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createAppStacks } from '../lib/app-stacks';
import { StageConfigError, stageConfigFromContext } from '../lib/stage-config';

const app = new App();

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
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
