import { describe, expect, it } from 'vitest';
import { jitteredDelayMs } from '../../../lambdas/domain/backoff-delay';

describe('jitteredDelayMs (full jitter)', () => {
  it.each([
    { attempt: 1, random: 0.5, expected: 50 },
    { attempt: 2, random: 0.5, expected: 100 },
    { attempt: 3, random: 0.999, expected: 399 },
    { attempt: 10, random: 0.999, expected: 999 },
    { attempt: 4, random: 0, expected: 0 },
  ])('attempt $attempt, random $random -> $expected ms (base 100, cap 1000)', ({ attempt, random, expected }) => {
    expect(jitteredDelayMs(attempt, 100, 1_000, random)).toBe(expected);
  });
});
