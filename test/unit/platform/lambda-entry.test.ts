import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../../lambdas/platform/contracts';
import { lambdaEntry } from '../../../lambdas/platform/lambda-entry';
import { logger } from '../../../lambdas/platform/logger';
import { useLogCapture } from '../../support/logs';

const ENV = { AWS_REGION: 'us-east-1' };

function contextFor(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'entitlements-dev-OpenApi',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:entitlements-dev-OpenApi',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/entitlements-dev-OpenApi',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done() {},
    fail() {},
    succeed() {},
  };
}

function httpEvent(requestId: string): APIGatewayProxyEventV2 {
  return { requestContext: { requestId } } as unknown as APIGatewayProxyEventV2;
}

/** A handler built by lambdaEntry that logs one WARN line per invocation, after an await (as real ones do). */
function entryLoggingOnce(delayMs = 0) {
  return lambdaEntry(CONTRACTS.openApi, () => async (event: APIGatewayProxyEventV2) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    logger.warn('handled', { path: event.requestContext?.requestId });
    return 'ok';
  }).fromEnv(ENV);
}

describe('lambdaEntry: every log line carries the invocation context', () => {
  const logs = useLogCapture();
  const handled = () => logs.lines.filter((line) => line.message === 'handled');

  it('request id, function name and version, ARN, memory; cold start true on the first invocation, then false', async () => {
    // Prepare
    const handle = entryLoggingOnce();

    // Act
    await handle(httpEvent('apigw-1'), contextFor('req-1'));
    await handle(httpEvent('apigw-2'), contextFor('req-2'));

    // Assess
    expect(handled()).toEqual([
      expect.objectContaining({
        function_request_id: 'req-1',
        cold_start: true,
        function_name: 'entitlements-dev-OpenApi',
        function_version: '$LATEST',
        function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:entitlements-dev-OpenApi',
        function_memory_size: '256',
        correlation_id: 'apigw-1',
      }),
      expect.objectContaining({ function_request_id: 'req-2', cold_start: false, correlation_id: 'apigw-2' }),
    ]);
  });

  it('the cold start line itself is part of the first invocation', async () => {
    const handle = entryLoggingOnce();
    logger.setLogLevel('INFO'); // the suite logs at WARN
    try {
      await handle(httpEvent('apigw-1'), contextFor('req-1'));
    } finally {
      logger.setLogLevel('WARN');
    }
    expect(logs.lines.find((line) => line.message === 'cold start')).toMatchObject({
      cold_start: true,
      function_request_id: 'req-1',
      awsSdkVersion: expect.any(String),
    });
  });

  it('concurrent invocations in one process keep their own request ids (the local stack runs handlers in-process)', async () => {
    const slow = entryLoggingOnce(30);
    const fast = entryLoggingOnce(0);
    await Promise.all([slow(httpEvent('a'), contextFor('req-slow')), fast(httpEvent('b'), contextFor('req-fast'))]);
    const byRequest = Object.fromEntries(handled().map((line) => [line.function_request_id, line.correlation_id]));
    expect(byRequest).toEqual({ 'req-slow': 'a', 'req-fast': 'b' });
    expect(handled().map((line) => line.cold_start)).toEqual([true, true]);
  });

  it('overlapping first invocations build the dependencies once; a failed build is tried again by the next one', async () => {
    // Prepare: a build that fails the first time (as a missing variable would), then succeeds
    let builds = 0;
    const handle = lambdaEntry(CONTRACTS.openApi, () => {
      builds += 1;
      if (builds === 1) throw new Error('first build fails');
      return async () => 'ok';
    }).fromEnv(ENV);

    // Act
    logger.setLogLevel('INFO'); // the suite logs at WARN
    let first: string;
    let overlapping: string[];
    try {
      first = await handle(httpEvent('f'), contextFor('req-f')).catch((error: Error) => error.message);
      overlapping = await Promise.all([1, 2, 3].map((n) => handle(httpEvent(`o${n}`), contextFor(`req-o${n}`))));
    } finally {
      logger.setLogLevel('WARN');
    }

    // Assess
    expect(first).toBe('first build fails');
    expect(overlapping).toEqual(['ok', 'ok', 'ok']);
    expect(builds).toBe(2);
    expect(logs.lines.filter((line) => line.message === 'cold start')).toHaveLength(2);
  });

  it('an event without API Gateway (a Cognito trigger, a schedule) has no correlation id; lines outside an invocation no context', async () => {
    const handle = entryLoggingOnce();
    await handle({ source: 'aws.events' } as unknown as APIGatewayProxyEventV2, contextFor('req-1'));
    logger.warn('outside');
    expect(handled()[0]).toMatchObject({ function_request_id: 'req-1', cold_start: true });
    expect(handled()[0]).not.toHaveProperty('correlation_id');
    const outside = logs.lines.find((line) => line.message === 'outside');
    expect(outside).not.toHaveProperty('function_request_id');
    expect(outside).not.toHaveProperty('cold_start');
  });
});
