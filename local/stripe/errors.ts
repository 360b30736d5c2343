/**
 * Errors shaped like Stripe's: `{ error: { type, message, code?, decline_code?, doc_url?, param? } }` with Stripe's
 * status codes (https://docs.stripe.com/api/errors): 400 invalid_request_error, 401, 402 card_error, 404
 * resource_missing, 409 idempotency. Coded errors link their page under https://stripe.com/docs/error-codes.
 */
export class StripeApiError extends Error {
  override name = 'StripeApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly details: { type?: string; code?: string; param?: string; declineCode?: string } = {},
  ) {
    super(message);
  }

  toBody(): { error: Record<string, string> } {
    const { code, param, declineCode } = this.details;
    return {
      error: {
        type: this.details.type ?? 'invalid_request_error',
        message: this.message,
        ...(code ? { code, doc_url: `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}` } : {}),
        ...(declineCode ? { decline_code: declineCode } : {}),
        ...(param ? { param } : {}),
      },
    };
  }
}

export function unknownParameter(param: string): StripeApiError {
  return new StripeApiError(400, `Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });
}

export function missingParameter(param: string): StripeApiError {
  return new StripeApiError(400, `Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

export function invalidParameter(param: string, message: string, code = 'parameter_invalid'): StripeApiError {
  return new StripeApiError(400, message, { code, param });
}

/** Stripe answers a missing object with 404 `resource_missing` (400 when the id came in as a parameter). */
export function noSuch(kind: string, id: string, param?: string): StripeApiError {
  return new StripeApiError(param ? 400 : 404, `No such ${kind}: '${id}'`, {
    code: 'resource_missing',
    ...(param ? { param } : {}),
  });
}

/** A card payment refused in the request itself (402), like `card_declined` / `generic_decline`. */
export function cardDeclined(declineCode = 'generic_decline', param?: string): StripeApiError {
  return new StripeApiError(402, 'Your card was declined.', {
    type: 'card_error',
    code: 'card_declined',
    declineCode,
    ...(param ? { param } : {}),
  });
}
