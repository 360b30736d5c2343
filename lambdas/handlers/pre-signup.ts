import { z } from 'zod';
import { CognitoUserDirectory } from '../adapters/cognito/cognito-users';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import type { UserDirectory } from '../domain/cognito-user';
import { PreSignUpTriggerSchema, parseTriggerEvent } from '../platform/cognito-trigger-events';
import { parseEnv } from '../platform/config';
import { CONTRACTS } from '../platform/contracts';
import { lambdaEntry } from '../platform/lambda-entry';
import type { Runtime } from '../platform/runtime';
import type { ProfileStore } from '../ports/app-ports';
import { preSignUp } from '../use-cases/identity/pre-signup';

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

export const preSignUpEnvSchema = z.object({
  /** `true` lets sign-ups through when the duplicate lookup fails (default: refuse them). */
  PRE_SIGNUP_FAIL_OPEN: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

function build(runtime: Runtime<typeof CONTRACTS.preSignUp>, env: NodeJS.ProcessEnv) {
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
    profiles: new DynamoProfileStore(runtime.ddb, runtime.tables.USER_PROFILES_TABLE),
    failOpen: config.PRE_SIGNUP_FAIL_OPEN,
  });
}

const entry = lambdaEntry(CONTRACTS.preSignUp, build);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
