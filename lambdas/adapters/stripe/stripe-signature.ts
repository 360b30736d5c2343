import { createHmac, timingSafeEqual } from 'node:crypto';
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
 * Verifies Stripe's `Stripe-Signature` on the raw body with node:crypto, step for step as stripe-node 23's
 * `Webhooks.constructEventAsync` does (Stripe's scheme: docs.stripe.com/webhooks/signature, "Verify signatures
 * manually"), so the webhook does not load the Stripe SDK (~40 ms of module init) to check an HMAC; the SDK is
 * imported only when a delivery reads Stripe. test/unit/adapters/stripe/stripe-signature.test.ts holds this check
 * to stripe-node's own on the same inputs. On a mismatch the secret is re-read once (it may have been rotated since
 * it was cached) and the signature checked again; a stale timestamp is not a rotation.
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
        return this.check(payload, signature, cached);
      } catch (error) {
        if (!(error instanceof SignatureRejectedError) || error.reason !== 'mismatch') throw error;
        const fresh = await this.secret.refresh();
        if (fresh === cached) throw error;
        return this.check(payload, signature, fresh);
      }
    } catch (error) {
      throw translated(error);
    }
  }

  private check(payload: string, signature: string, secret: string): unknown {
    checkStripeSignature(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS, this.clock.now().getTime());
    const event: unknown = JSON.parse(payload); // a SyntaxError answers invalid_json (receive-delivery)
    if (isThinEvent(event)) {
      // stripe-node's constructEvent refuses thin (v2) event notifications with this error; kept as it was.
      throw new Error(
        'You passed a thin event notification to a function that expects a webhook. Use the corresponding EventNotification method instead.',
      );
    }
    return event;
  }
}

/** A refused signature: the answer's message by reason, stripe-node's wording of the detail as the cause. */
function refused(reason: 'mismatch' | 'stale', detail: string): SignatureRejectedError {
  const message =
    reason === 'mismatch'
      ? 'the signature does not match the body'
      : 'the signature timestamp is outside the tolerance';
  return new SignatureRejectedError(reason, message, { cause: new Error(detail) });
}

/**
 * stripe-node's `verifyHeader`: the header's `t` and every `v1` signature (other schemes ignored), the expected
 * signature = hex HMAC-SHA256 of `${t}.${payload}` with the secret, compared in constant time with each `v1`; then
 * the age `floor(now / 1000) - t` must not exceed the tolerance (a future timestamp passes, as in stripe-node).
 */
export function checkStripeSignature(
  payload: string,
  header: string,
  secret: string,
  toleranceSeconds: number,
  nowMs: number,
): void {
  if (!payload) throw refused('mismatch', 'No webhook payload was provided.');
  if (!header) throw refused('mismatch', 'No stripe-signature header value was provided.');
  const { timestamp, signatures } = parseHeader(header);
  if (timestamp === -1) throw refused('mismatch', 'Unable to extract timestamp and signatures from header');
  if (signatures.length === 0) throw refused('mismatch', 'No signatures found with expected scheme');
  if (!secret || /^[ \t\r\n\f\v]*$/.test(secret)) throw refused('mismatch', 'No webhook secret value was provided.');
  const expected = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  if (!signatures.some((candidate) => secureCompare(expected, candidate)))
    throw refused('mismatch', 'No signatures found matching the expected signature for payload.');
  const age = Math.floor(nowMs / 1000) - timestamp;
  if (toleranceSeconds > 0 && age > toleranceSeconds) throw refused('stale', 'Timestamp outside the tolerance zone');
}

/** `t=<seconds>,v1=<hex>,v1=<hex>,v0=...` split exactly as stripe-node splits it. */
function parseHeader(header: string): { timestamp: number; signatures: string[] } {
  let timestamp = -1;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const [key, value] = item.split('=');
    if (key === 't') timestamp = Number.parseInt(value as string, 10);
    if (key === 'v1') signatures.push(value as string);
  }
  return { timestamp, signatures };
}

function secureCompare(a: string, b: string | undefined): boolean {
  if (!b) return false; // stripe-node throws on an empty signature ("v1="), which fails the check
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function isThinEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { object?: unknown }).object === 'v2.core.event';
}

function translated(error: unknown): unknown {
  if (error instanceof SecretNotSetError)
    return new NotConfiguredError(error.message, error.publicMessage, { cause: error });
  return error;
}
