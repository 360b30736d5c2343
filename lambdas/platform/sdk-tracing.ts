import type { RuntimeHooks } from './runtime';

/**
 * X-Ray subsegments for every AWS SDK call (DynamoDB, Cognito) and every outbound HTTPS request (Stripe), with
 * Powertools Tracer, when the stage turns it on (`traceSdkCalls`, which sets POWERTOOLS_TRACE_ENABLED=true).
 *
 * Why lazily: the Tracer and the X-Ray SDK under it take about 50 ms to load (45-60 ms for their bundle alone, 2 vCPU,
 * Node 22, busy machine), so a stage without SDK tracing must not pay for them. They are imported on the first
 * invocation, before any client is built (the runtime builds clients on first use), and every client the runtime
 * builds afterwards is captured.
 * Outside Lambda (tests, the local stack) the Tracer disables itself, so this is a no-op there.
 */
export function sdkTracingEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.POWERTOOLS_TRACE_ENABLED === 'true';
}

export async function sdkTracingHooks(env: NodeJS.ProcessEnv): Promise<RuntimeHooks> {
  if (!sdkTracingEnabled(env)) return {};
  const { Tracer } = await import('@aws-lambda-powertools/tracer');
  const tracer = new Tracer({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'entitlements' });
  return {
    onClient(created) {
      // Stripe's requests go through node:https, which the Tracer patches globally (captureHTTPsRequests).
      if (created.kind === 'dynamodb' || created.kind === 'cognito') tracer.captureAWSv3Client(created.client);
    },
  };
}

/** Both observers: the benchmark's call counters and the tracer's capture. */
export function combineHooks(...all: RuntimeHooks[]): RuntimeHooks {
  return {
    onClient(created) {
      for (const hooks of all) hooks.onClient?.(created);
    },
  };
}
