import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../../lambdas/platform/logger';
import { call, signedUpUser } from '../../shipped/support';
import { useLocalStack } from '../../support/local-stack';
import { useLogCapture } from '../../support/logs';

/**
 * The local stack (source mode) hands every handler a Lambda context like the runtime's: the lines an invocation
 * logs carry its request id, function name, ARN and memory, as deployed lines do (lambdas/platform/log-context.ts).
 */
const started = useLocalStack('lambda-context');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('local Lambda context', () => {
  beforeEach(() => logger.setLogLevel('INFO')); // the suite logs at WARN; the cold-start line is INFO
  afterEach(() => logger.setLogLevel('WARN'));

  it('gives route and trigger log lines a request id, function name, ARN and memory; a cold start once per function', async () => {
    // Prepare
    const { stack } = started();
    const logs = useLogCapture();

    // Act: sign-up runs Pre-Signup and Post-Confirmation through cognito-local; then the status route, twice
    const user = await signedUpUser(stack, `context-${process.pid}-${Date.now()}@example.com`);
    const first = await call(stack, 'GET', '/subscription/status', user.idToken);
    const second = await call(stack, 'GET', '/subscription/status', user.idToken);

    // Assess
    expect([first.status, second.status]).toEqual([200, 200]);
    const linesOf = (fn: string) => logs.lines.filter((line) => line.function_name === fn);
    for (const fn of ['pre-signup', 'post-confirmation', 'subscription-status']) {
      const lines = linesOf(fn);
      expect(lines.length, `${fn} logged nothing with its context`).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).toMatchObject({
          function_request_id: expect.stringMatching(UUID),
          function_arn: `arn:aws:lambda:us-east-1:000000000000:function:${fn}`,
          function_version: '$LATEST',
          function_memory_size: '512',
        });
      }
      expect(lines.filter((line) => line.message === 'cold start')).toEqual([
        expect.objectContaining({ cold_start: true }),
      ]);
    }
    // Routes carry API Gateway's request id as the correlation id; triggers have none.
    expect(linesOf('subscription-status').every((line) => typeof line.correlation_id === 'string')).toBe(true);
    expect(linesOf('pre-signup').some((line) => 'correlation_id' in line)).toBe(false);
    // No line of an invocation lost its context.
    expect(logs.lines.filter((line) => line.message === 'cold start' && !line.function_request_id)).toEqual([]);
  });
});
