import { AppError, ConflictError, InvalidInputError, NotConfiguredError, NotFoundError } from './errors';

/**
 * Domain errors that carry a stable `code` for the HTTP error body (`{ error: { code, message } }`), so the
 * frontend can branch on the reason (e.g. `already_subscribed` -> open the billing portal) without parsing text.
 */

export class CodedConflictError extends ConflictError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Input that fails a rule (not only its shape): a 400 with its own code, e.g. `unknown_plan`. */
export class CodedInvalidInputError extends InvalidInputError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class CodedNotFoundError extends NotFoundError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The deployment is missing something (e.g. a Stripe price for a catalog lookup key): a 500, not a retry. */
export class MisconfigurationError extends AppError {
  override name = 'MisconfigurationError';
}

/**
 * A setting the operator must make outside this code is missing (e.g. the Stripe account has no customer-portal
 * configuration): a 503 with `code`, the operator's fix in `publicMessage`, logged as an error. Retrying succeeds
 * once the operator made the setting.
 */
export class CodedNotConfiguredError extends NotConfiguredError {
  override name = 'CodedNotConfiguredError';
  constructor(
    readonly code: string,
    message: string,
    publicMessage: string,
    options?: { cause?: unknown },
  ) {
    super(message, publicMessage, options);
  }
}
