/** Errors shaped like Stripe's: `{ error: { type, message, param?, code? } }` with Stripe's status codes. */
export class StripeApiError extends Error {
  override name = 'StripeApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly details: { type?: string; code?: string; param?: string } = {},
  ) {
    super(message);
  }

  toBody(): { error: Record<string, string> } {
    return {
      error: {
        type: this.details.type ?? 'invalid_request_error',
        message: this.message,
        ...(this.details.code ? { code: this.details.code } : {}),
        ...(this.details.param ? { param: this.details.param } : {}),
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

export function invalidParameter(param: string, message: string): StripeApiError {
  return new StripeApiError(400, message, { code: 'parameter_invalid', param });
}

/** Stripe answers a missing object with 404 `resource_missing` (400 when the id came in as a parameter). */
export function noSuch(kind: string, id: string, param?: string): StripeApiError {
  return new StripeApiError(param ? 400 : 404, `No such ${kind}: '${id}'`, {
    code: 'resource_missing',
    ...(param ? { param } : {}),
  });
}
