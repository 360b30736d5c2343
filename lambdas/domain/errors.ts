/**
 * Domain errors shared by adapters, use cases and handlers. Adapters translate SDK errors into these;
 * handlers map them to responses with `instanceof`.
 */

/**
 * The base of every error this code throws on purpose: callers can tell ours from a library's or a bug's with
 * `instanceof AppError`, and each carries its `cause`. Subclasses set `name` explicitly (minified bundles rename
 * classes, and handlers and logs rely on the name).
 */
export class AppError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A dependency (DynamoDB, Cognito, Stripe) failed in a way a retry may fix: callers answer 5xx/503. */
export class DependencyUnavailableError extends AppError {
  override name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: 'dynamodb' | 'cognito' | 'stripe' | 'secrets',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Input from outside failed validation: callers answer 400 (or reject the trigger). */
export class InvalidInputError extends AppError {
  override name = 'InvalidInputError';
}

export class NotFoundError extends AppError {
  override name = 'NotFoundError';
}

export class ConflictError extends AppError {
  override name = 'ConflictError';
}

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalErrorException',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'StripeConnectionError',
  'StripeAPIError',
  'StripeRateLimitError',
]);

/** True for throttling, 5xx and network failures of any SDK: the operation may succeed when retried. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; statusCode?: number; type?: string }) ?? {};
  const status = meta.$metadata?.httpStatusCode ?? meta.statusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (RETRYABLE_NAMES.has(error.name) || (meta.type !== undefined && RETRYABLE_NAMES.has(meta.type))) return true;
  const code = (error as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT';
}

/** Wraps any SDK failure as a DependencyUnavailableError, keeping the cause. */
export function dependencyError(dependency: DependencyUnavailableError['dependency'], action: string, error: unknown) {
  if (error instanceof DependencyUnavailableError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DependencyUnavailableError(dependency, `${dependency} ${action} failed (${detail})`, { cause: error });
}

/**
 * The Cognito user is gone (deleted by an operator or by account deletion): a group change for it can never
 * succeed. A DependencyUnavailableError for callers that do not tell it apart; the webhook skips the group change.
 */
export class CognitoUserMissingError extends DependencyUnavailableError {
  override name = 'CognitoUserMissingError';
  constructor(
    readonly username: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('cognito', message, options);
  }
}

/** A webhook signature that does not verify: `stale` when only the timestamp is outside the tolerance. */
export class SignatureRejectedError extends AppError {
  override name = 'SignatureRejectedError';
  constructor(
    readonly reason: 'mismatch' | 'stale',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Something the operator must set is not set (a secret still holding its deploy placeholder). Callers answer 503:
 * the caller's retry succeeds once it is set. `publicMessage` names it without revealing where it lives.
 */
export class NotConfiguredError extends AppError {
  override name = 'NotConfiguredError';
  constructor(
    message: string,
    readonly publicMessage: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
