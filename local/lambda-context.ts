import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { Context } from 'aws-lambda';

/** The account id the local stack's ARNs carry (the one LocalStack and the AWS docs' examples use). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** A function's name in the local stack: its handler module's file name (`lambdas/handlers/pre-signup.ts` -> `pre-signup`). */
export function localFunctionName(entry: string): string {
  return basename(entry, extname(entry));
}

export interface LocalFunctionSettings {
  region: string;
  /** lib/constructs/app-function.ts's defaults: 512 MB, 10 s. */
  memoryMb?: number;
  timeoutMs?: number;
}

/**
 * The Lambda context the runtime passes a deployed handler, for one local invocation: a fresh request id, the
 * function's name, version `$LATEST`, ARN, memory and a remaining time counting down from the timeout. The local
 * gateway and cognito-local's trigger endpoint pass it, so local log lines carry `function_request_id`,
 * `function_name`, `function_arn` and `function_memory_size` like deployed ones (lambdas/platform/log-context.ts).
 * The shipped tier's workers build their own from the template (local/shipped/lambda-worker.cjs).
 */
export function localLambdaContext(functionName: string, settings: LocalFunctionSettings): Context {
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${settings.region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: String(settings.memoryMb ?? 512),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
