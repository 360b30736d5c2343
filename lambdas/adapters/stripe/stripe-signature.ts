import Stripe from 'stripe';
import { NotConfiguredError, SignatureRejectedError } from '../../domain/errors';
import { SecretNotSetError } from '../../platform/secrets';
import type { Clock } from '../../ports/app-ports';
import type { EventVerifier } from '../../ports/webhook-ports';

/** Stripe's default: a signature older than five minutes is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The signing secret as the runtime serves it: cached, and re-read on demand. */
export interface SigningSecret {
  get(): Promise<string>;
  refresh(): Promise<string>;
}

/**
 * Verifies with stripe-node on the raw body. On a mismatch the secret is re-read once (it may have been rotated
 * since it was cached) and the signature checked again; a stale timestamp is not a rotation.
 */
export class StripeSignatureVerifier implements EventVerifier {
  constructor(
    private readonly secret: SigningSecret,
    private readonly clock: Clock,
  ) {}

  async verify(payload: string, signature: string): Promise<unknown> {
    try {
      const cached = await this.secret.get();
      try {
        return await this.check(payload, signature, cached);
      } catch (error) {
        if (!isMismatch(error)) throw error;
        const fresh = await this.secret.refresh();
        if (fresh === cached) throw error;
        return await this.check(payload, signature, fresh);
      }
    } catch (error) {
      throw translated(error);
    }
  }

  private check(payload: string, signature: string, secret: string) {
    const now = this.clock.now().getTime();
    return Stripe.webhooks.constructEventAsync(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS, undefined, now);
  }
}

function isMismatch(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeSignatureVerificationError && !/tolerance/i.test(error.message);
}

function translated(error: unknown): unknown {
  if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
    return isMismatch(error)
      ? new SignatureRejectedError('mismatch', 'the signature does not match the body', { cause: error })
      : new SignatureRejectedError('stale', 'the signature timestamp is outside the tolerance', { cause: error });
  }
  if (error instanceof SecretNotSetError)
    return new NotConfiguredError(error.message, error.publicMessage, { cause: error });
  return error;
}
