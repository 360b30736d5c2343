import { describe, expect, it } from 'vitest';
import { isThrottle, withBackoff } from '../../../lambdas/adapters/backoff';
import { dependencyError } from '../../../lambdas/domain/errors';

const throttled = () => Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' });
const stripe429 = () => Object.assign(new Error('rate limited'), { statusCode: 429, type: 'StripeRateLimitError' });

describe('withBackoff', () => {
  it('retries Cognito and Stripe throttling with growing waits, then succeeds', async () => {
    // Prepare
    const waits: number[] = [];
    const failures = [throttled(), stripe429(), dependencyError('cognito', 'list users', throttled())];
    let calls = 0;

    // Act
    const result = await withBackoff(
      async () => {
        calls += 1;
        const failure = failures.shift();
        if (failure) throw failure;
        return 'ok';
      },
      { sleep: async (ms) => void waits.push(ms), random: () => 1, baseMs: 100 },
    );

    // Assess
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('throws other errors at once and gives up after the last attempt', async () => {
    // Prepare
    let calls = 0;
    const fail = (error: Error) => async () => {
      calls += 1;
      throw error;
    };
    const options = { sleep: async () => undefined, attempts: 3 };

    // Act + Assess
    await expect(withBackoff(fail(new Error('boom')), options)).rejects.toThrow('boom');
    expect(calls).toBe(1);
    await expect(withBackoff(fail(throttled()), options)).rejects.toThrow('slow down');
    expect(calls).toBe(4);
    expect(isThrottle(new Error('x'))).toBe(false);
  });
});
