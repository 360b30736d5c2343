import { createRuntime, type Runtime } from './runtime';

/**
 * Builds a handler's dependencies once per container from an environment, on first invocation (so importing a
 * handler module never reads process.env). `handler` is the AWS entry point; `fromEnv` lets the local stack and
 * tests run the very same handler against an explicit environment.
 */
export function lambdaEntry<E, R>(build: (runtime: Runtime) => (event: E) => Promise<R>) {
  const fromEnv = (env: NodeJS.ProcessEnv): ((event: E) => Promise<R>) => {
    let built: ((event: E) => Promise<R>) | undefined;
    return (event: E) => {
      built ??= build(createRuntime(env));
      return built(event);
    };
  };
  return { handler: fromEnv(process.env), fromEnv };
}
