import { StripeApiError } from './errors';
import type { IdempotentResponse, StripeStore } from './store';

/**
 * Idempotent requests (https://docs.stripe.com/api/idempotent_requests): a POST with an `Idempotency-Key` saves its
 * result (successes and errors of requests that started executing, not validation errors); the same key with the
 * same parameters replays it (`idempotent-replayed: true`), with other parameters it is an `idempotency_error`.
 * "Keys are eligible to be removed from the system automatically after they're at least 24 hours old": here after
 * 24 hours of emulator time, after which the key runs the request again.
 */

export const IDEMPOTENCY_KEY_TTL = 24 * 3600;

export class IdempotencyKeys {
  constructor(private readonly store: StripeStore) {}

  /** The saved response for this key, or undefined (never used, or pruned); throws when the parameters differ. */
  replay(key: string, fingerprint: string): IdempotentResponse | undefined {
    const saved = this.store.raw.idempotency[key];
    if (!saved) return undefined;
    if (saved.at <= this.store.now() - IDEMPOTENCY_KEY_TTL) {
      delete this.store.raw.idempotency[key];
      return undefined;
    }
    if (saved.fingerprint !== fingerprint) {
      throw new StripeApiError(
        400,
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        { type: 'idempotency_error' },
      );
    }
    return saved;
  }

  /** Saves a result when Stripe would: the request started executing (a success, or a card error). */
  save(key: string, fingerprint: string, status: number, body: string): void {
    if (status >= 400 && status !== 402) return;
    this.store.raw.idempotency[key] = { fingerprint, status, body, at: this.store.now() };
    this.prune();
  }

  private prune(): void {
    const horizon = this.store.now() - IDEMPOTENCY_KEY_TTL;
    for (const [key, saved] of Object.entries(this.store.raw.idempotency)) {
      if (saved.at <= horizon) delete this.store.raw.idempotency[key];
    }
  }
}
