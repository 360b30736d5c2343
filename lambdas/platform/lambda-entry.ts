import type { Context } from 'aws-lambda';
import type { FunctionContract } from './contracts';
import { correlationIdOf, withInvocationLogContext } from './log-context';
import { logger } from './logger';
import { createRuntime, type Runtime, type RuntimeHooks } from './runtime';
import { combineHooks, sdkTracingHooks } from './sdk-tracing';
import { awsSdkVersion } from './sdk-version';

export type LambdaHandler<E, R> = (event: E, context?: Context) => Promise<R>;

/**
 * Builds a handler's dependencies once per container from its contract and an environment, on first invocation (so
 * importing a handler module reads nothing). `handler` is the AWS entry point; `fromEnv` lets the local stack and
 * tests run the very same handler against an explicit environment (`hooks` let benchmarks observe SDK clients).
 * The first invocation logs the cold start with the AWS SDK version the function runs with, and loads the SDK
 * tracer when the stage enables it (sdk-tracing.ts). Every line an
 * invocation logs carries its Lambda context (request id, function name, cold start: this entry's first
 * invocation) and API Gateway's request id as `correlation_id`.
 */
export function lambdaEntry<C extends FunctionContract, E, R>(
  contract: C,
  build: (runtime: Runtime<C>, env: NodeJS.ProcessEnv) => LambdaHandler<E, R>,
) {
  const fromEnv = (env: NodeJS.ProcessEnv, hooks?: RuntimeHooks): LambdaHandler<E, R> => {
    type Built = { runtime: Runtime<C>; handle: LambdaHandler<E, R> };
    // One build per container, also when invocations overlap (the local stack runs them concurrently).
    let building: Promise<Built> | undefined;
    const buildOnce = async (): Promise<Built> => {
      logger.info('cold start', { awsSdkVersion: awsSdkVersion(), node: process.version });
      const tracing = await sdkTracingHooks(env);
      const runtime = createRuntime(contract, env, combineHooks(tracing, hooks ?? {}));
      return { runtime, handle: build(runtime, env) };
    };
    const invoke = async (event: E, context: Context | undefined) => {
      building ??= buildOnce().catch((error: unknown) => {
        building = undefined; // a failed build (a missing variable) fails this invocation and is tried again
        throw error;
      });
      const built = await building;
      await built.runtime.clock.sync();
      return built.handle(event, context);
    };
    let invoked = false;
    return (event, context) => {
      const coldStart = !invoked;
      invoked = true;
      const correlationId = correlationIdOf(event);
      return withInvocationLogContext(
        { coldStart, ...(context ? { context } : {}), ...(correlationId ? { correlationId } : {}) },
        () => invoke(event, context),
      );
    };
  };
  return { handler: fromEnv(process.env), fromEnv };
}
