import { z } from 'zod';
import { CognitoUserDirectory } from '../adapters/cognito-users';
import { DynamoProfileStore } from '../adapters/profile-store';
import { PreSignUpTriggerSchema, parseTriggerEvent } from '../core/cognito-trigger-events';
import type { UserDirectory } from '../core/cognito-user';
import type { ProfileStore } from '../core/ports';
import { parseEnv, tableEnvSchema } from '../shared/config';
import { lambdaEntry } from '../shared/lambda-entry';
import type { Runtime } from '../shared/runtime';
import { preSignUp } from '../use-cases/pre-signup';

export interface PreSignUpHandlerDeps {
  /** The directory of the pool that fired the trigger (`event.userPoolId`: an env var would be a CDK cycle). */
  users: (userPoolId: string) => UserDirectory;
  profiles: Pick<ProfileStore, 'findByEmail'>;
  failOpen: boolean;
}

/**
 * Cognito Pre-Signup trigger: parse, decide (use case), answer with the event. A rejection is the use case's
 * SignUpRejectedError, deliberately not caught here: Cognito shows its message to the user.
 */
export function createPreSignUpHandler(deps: PreSignUpHandlerDeps) {
  return async (event: unknown) => {
    const parsed = parseTriggerEvent(PreSignUpTriggerSchema, event, 'Pre-Signup');
    const outcome = await preSignUp(
      { users: deps.users(parsed.userPoolId), profiles: deps.profiles, failOpen: deps.failOpen },
      { triggerSource: parsed.triggerSource, userName: parsed.userName, userAttributes: parsed.request.userAttributes },
    );
    if (outcome.action === 'allow') {
      if (outcome.autoConfirmUser) parsed.response.autoConfirmUser = true;
      if (outcome.autoVerifyEmail) parsed.response.autoVerifyEmail = true;
    }
    return parsed;
  };
}

export const preSignUpEnvSchema = tableEnvSchema.pick({ USER_PROFILES_TABLE: true }).extend({
  /** `true` lets sign-ups through when the duplicate lookup fails (default: refuse them). */
  PRE_SIGNUP_FAIL_OPEN: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

function build(runtime: Runtime, env: NodeJS.ProcessEnv) {
  const config = parseEnv(preSignUpEnvSchema, env);
  const directories = new Map<string, UserDirectory>();
  return createPreSignUpHandler({
    users: (userPoolId) => {
      let directory = directories.get(userPoolId);
      if (!directory) {
        directory = new CognitoUserDirectory(runtime.cognito, userPoolId);
        directories.set(userPoolId, directory);
      }
      return directory;
    },
    profiles: new DynamoProfileStore(runtime.ddb, config.USER_PROFILES_TABLE),
    failOpen: config.PRE_SIGNUP_FAIL_OPEN,
  });
}

export const handlerFromEnv = (env: NodeJS.ProcessEnv) => lambdaEntry((runtime) => build(runtime, env)).fromEnv(env);
export const handler = handlerFromEnv(process.env);
