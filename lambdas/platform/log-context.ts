import { AsyncLocalStorage } from 'node:async_hooks';
import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/**
 * What every log line of one invocation carries, as Powertools' `addContext`/`injectLambdaContext` name it
 * (`cold_start`, `function_name`, `function_request_id`, `function_arn`, `function_memory_size`,
 * `function_version`), plus `correlation_id`: API Gateway's request id when the event came through it.
 */
export interface InvocationLogContext {
  readonly coldStart: boolean;
  readonly context?: Pick<
    Context,
    'awsRequestId' | 'functionName' | 'functionVersion' | 'invokedFunctionArn' | 'memoryLimitInMB'
  >;
  readonly correlationId?: string;
}

/**
 * Scoped per invocation with AsyncLocalStorage rather than set on the shared logger (`logger.addContext`): the
 * local stack and the tests run several handlers, concurrently, in one process, and each line must carry its own
 * invocation's request id. In Lambda (one invocation at a time per environment) the lines are the same. The cold
 * start is the entry's own (its first invocation), not Powertools' `AWS_LAMBDA_INITIALIZATION_TYPE` reading.
 */
const invocations = new AsyncLocalStorage<InvocationLogContext>();

export function withInvocationLogContext<T>(invocation: InvocationLogContext, run: () => Promise<T>): Promise<T> {
  return invocations.run(invocation, run);
}

/** API Gateway's request id (HTTP API and REST events carry `requestContext.requestId`), else none. */
export function correlationIdOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const requestContext = (event as { requestContext?: unknown }).requestContext;
  if (typeof requestContext !== 'object' || requestContext === null) return undefined;
  const id = (requestContext as { requestId?: unknown }).requestId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Powertools' standard JSON layout, with the running invocation's context keys. */
export class InvocationLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const invocation = invocations.getStore();
    const context = invocation?.context;
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: invocation?.coldStart,
      function_arn: context?.invokedFunctionArn,
      function_memory_size: context?.memoryLimitInMB,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      function_version: context?.functionVersion,
      correlation_id: invocation?.correlationId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: base }).addAttributes(additionalLogAttributes);
  }
}
