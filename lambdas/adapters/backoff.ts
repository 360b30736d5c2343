/**
 * Retries an operation that a rate limit refused (Stripe 429, Cognito TooManyRequestsException, DynamoDB
 * throttling) with exponential backoff and full jitter. Anything else is thrown at once: only throttling is
 * worth waiting for. SDK errors wrapped by an adapter (DependencyUnavailableError) are recognised by their cause.
 */
import { jitteredDelayMs } from '../domain/backoff-delay';

export interface BackoffOptions {
  /** Attempts in total, the first included. @default 6 */
  attempts?: number;
  /** @default 200 ms */
  baseMs?: number;
  /** @default 5_000 ms */
  maxMs?: number;
  /** Injected in tests (no real waiting). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const THROTTLE_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'StripeRateLimitError',
]);

export function isThrottle(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth += 1) {
    const candidate = current as {
      name?: string;
      type?: string;
      statusCode?: number;
      $metadata?: { httpStatusCode?: number };
      cause?: unknown;
    };
    if (candidate.name && THROTTLE_NAMES.has(candidate.name)) return true;
    if (candidate.type && THROTTLE_NAMES.has(candidate.type)) return true;
    if (candidate.statusCode === 429 || candidate.$metadata?.httpStatusCode === 429) return true;
    current = candidate.cause;
  }
  return false;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withBackoff<T>(operation: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 5_000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isThrottle(error)) throw error;
      await sleep(jitteredDelayMs(attempt, base, max, random()));
    }
  }
}
