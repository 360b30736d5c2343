import { AppError, ConflictError, NotFoundError } from './errors';

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
