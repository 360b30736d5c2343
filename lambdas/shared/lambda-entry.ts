import { createRuntime, type Runtime, type RuntimeHooks } from './runtime';

/**
 * Builds a handler's dependencies once per container from an environment, on first invocation (so importing a
 * handler module never reads process.env). `handler` is the AWS entry point; `fromEnv` lets the local stack and
 * tests run the very same handler against an explicit environment (`hooks` let benchmarks observe SDK clients).
 */
export function lambdaEntry<E, R>(build: (runtime: Runtime) => (event: E) => Promise<R>) {
  const fromEnv = (env: NodeJS.ProcessEnv, hooks?: RuntimeHooks): ((event: E) => Promise<R>) => {
    let built: ((event: E) => Promise<R>) | undefined;
    return (event: E) => {
      built ??= build(createRuntime(env, hooks));
      return built(event);
    };
  };
  return { handler: fromEnv(process.env), fromEnv };
}
