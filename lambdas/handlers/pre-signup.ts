import { PreSignUpTriggerSchema, parseTriggerEvent } from '../platform/cognito-trigger-events';
import { CONTRACTS } from '../platform/contracts';
import { lambdaEntry } from '../platform/lambda-entry';
import { type PreSignUpDeps, preSignUp } from '../use-cases/identity/pre-signup';
import { preSignUpDeps } from '../wiring/triggers';

/**
 * Cognito Pre-Signup trigger: parse, decide (use case), answer with the event. A rejection is the use case's
 * SignUpRejectedError, deliberately not caught here: Cognito shows its message to the user. `depsFor` gives the
 * dependencies of the pool that fired the trigger (`event.userPoolId`).
 */
export function createPreSignUpHandler(depsFor: (userPoolId: string) => PreSignUpDeps) {
  return async (event: unknown) => {
    const parsed = parseTriggerEvent(PreSignUpTriggerSchema, event, 'Pre-Signup');
    const outcome = await preSignUp(depsFor(parsed.userPoolId), {
      triggerSource: parsed.triggerSource,
      userName: parsed.userName,
      userAttributes: parsed.request.userAttributes,
    });
    if (outcome.action === 'allow') {
      if (outcome.autoConfirmUser) parsed.response.autoConfirmUser = true;
      if (outcome.autoVerifyEmail) parsed.response.autoVerifyEmail = true;
    }
    return parsed;
  };
}

const entry = lambdaEntry(CONTRACTS.preSignUp, (runtime, env) => createPreSignUpHandler(preSignUpDeps(runtime, env)));
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
