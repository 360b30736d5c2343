import { describe, expect, it, vi } from 'vitest';
import { localFunctionName, localLambdaContext } from '../../../local/lambda-context';

describe('localLambdaContext', () => {
  it('names the function from its handler module', () => {
    expect(localFunctionName('lambdas/handlers/admin-reconcile.ts')).toBe('admin-reconcile');
    expect(localFunctionName('../lambdas/handlers/pre-signup')).toBe('pre-signup');
  });

  it('gives each invocation its own request id and counts the remaining time down from the timeout', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      // Act
      const one = localLambdaContext('pre-signup', { region: 'eu-west-1', timeoutMs: 5_000 });
      const two = localLambdaContext('pre-signup', { region: 'eu-west-1' });
      vi.advanceTimersByTime(2_000);

      // Assess
      expect(one.awsRequestId).not.toBe(two.awsRequestId);
      expect(one).toMatchObject({
        functionName: 'pre-signup',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:pre-signup',
        memoryLimitInMB: '512',
        logGroupName: '/aws/lambda/pre-signup',
      });
      expect(one.getRemainingTimeInMillis()).toBe(3_000);
      expect(two.getRemainingTimeInMillis()).toBe(8_000);
      vi.advanceTimersByTime(10_000);
      expect(one.getRemainingTimeInMillis()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
