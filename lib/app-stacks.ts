import { type App, Aspects, type Environment, Tags } from 'aws-cdk-lib';
import { NotifyAlarmTopic } from './alarms';
import { AccountApi } from './constructs/account-api';
import { CognitoTriggers } from './constructs/cognito-triggers';
import { ExampleApi } from './constructs/example-api';
import { FrontendApi } from './constructs/frontend-api';
import { Operations } from './constructs/operations';
import { Reconcile } from './constructs/reconcile';
import { StripeWebhook } from './constructs/stripe-webhook';
import { ApiStack } from './stacks/api-stack';
import { AuthStack } from './stacks/auth-stack';
import { DataStack } from './stacks/data-stack';
import type { StageConfig } from './stage-config';

export interface AppStacks {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly auth: AuthStack;
  readonly api: ApiStack;
}

/**
 * Composes the stacks of one stage, named `<stage>-Data`, `<stage>-Auth`, `<stage>-Api`. Used by bin/app.ts and by
 * the infra tests, so both build exactly the same app. Features add their constructs to the returned stacks.
 */
export function createAppStacks(app: App, config: StageConfig, env?: Environment): AppStacks {
  const prefix = config.stage;
  const common = { env, config };
  const data = new DataStack(app, `${prefix}-Data`, {
    ...common,
    description: `Entitlements (${config.stage}): tables and Stripe secrets`,
  });
  const auth = new AuthStack(app, `${prefix}-Auth`, {
    ...common,
    description: `Entitlements (${config.stage}): Cognito user pool, app client and plan groups`,
    data,
  });
  const triggers = new CognitoTriggers(auth, 'CognitoTriggers', { auth });
  const api = new ApiStack(app, `${prefix}-Api`, {
    ...common,
    description: `Entitlements (${config.stage}): HTTP API`,
    userPool: auth.userPool,
    userPoolClient: auth.userPoolClient,
    data,
  });
  const frontend = new FrontendApi(api, 'FrontendApi', { api });
  const webhook = new StripeWebhook(api, 'StripeWebhook', { api });
  const reconcile = new Reconcile(api, 'Reconcile', { api });
  new ExampleApi(api, 'ExampleApi', { api });
  const account = new AccountApi(api, 'AccountApi', { api });
  const operations = new Operations(api, 'Operations', { api, webhook, reconcile, frontend, triggers, account });
  for (const stack of [data, auth, api]) {
    Tags.of(stack).add('app', 'entitlements');
    Tags.of(stack).add('stage', config.stage);
    // Every alarm notifies the stage's topic; one created outside the Api stack fails synth.
    Aspects.of(stack).add(new NotifyAlarmTopic(operations.alarmTopic.topic));
  }
  return { config, data, auth, api };
}
