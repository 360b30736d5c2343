import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  checkStripeSignature,
  SIGNATURE_TOLERANCE_SECONDS,
  StripeSignatureVerifier,
} from '../../../../lambdas/adapters/stripe/stripe-signature';
import { SignatureRejectedError } from '../../../../lambdas/domain/errors';

// The webhook checks signatures with node:crypto (no Stripe SDK at init); stripe-node is the judge: every case is
// signed with stripe-node's generateTestHeaderString and must get the same verdict from both.
const SECRET = 'whsec_test_secret';
const NOW_MS = 1_780_000_000_000;
const NOW_S = NOW_MS / 1000;
const BODY = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.subscription.updated' });

const header = (options: { payload?: string; secret?: string; timestamp?: number; scheme?: string } = {}) =>
  Stripe.webhooks.generateTestHeaderString({
    payload: options.payload ?? BODY,
    secret: options.secret ?? SECRET,
    timestamp: options.timestamp ?? NOW_S,
    ...(options.scheme ? { scheme: options.scheme } : {}),
  });

type Verdict = 'ok' | 'mismatch' | 'stale';

async function stripeNodeVerdict(payload: string, signature: string, secret: string): Promise<Verdict> {
  try {
    await Stripe.webhooks.constructEventAsync(
      payload,
      signature,
      secret,
      SIGNATURE_TOLERANCE_SECONDS,
      undefined,
      NOW_MS,
    );
    return 'ok';
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) throw error;
    return /tolerance/i.test(error.message) ? 'stale' : 'mismatch';
  }
}

function ourVerdict(payload: string, signature: string, secret: string): Verdict {
  try {
    checkStripeSignature(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS, NOW_MS);
    return 'ok';
  } catch (error) {
    if (!(error instanceof SignatureRejectedError)) throw error;
    return error.reason;
  }
}

const valid = header();
const validSignature = valid.split(',v1=')[1] as string;

describe('checkStripeSignature agrees with stripe-node', () => {
  it.each<[string, string, string, string, Verdict]>([
    ['a valid signature', BODY, valid, SECRET, 'ok'],
    ['signed 300 s ago (the tolerance)', BODY, header({ timestamp: NOW_S - 300 }), SECRET, 'ok'],
    ['signed 301 s ago', BODY, header({ timestamp: NOW_S - 301 }), SECRET, 'stale'],
    ['signed in the future (stripe-node accepts it)', BODY, header({ timestamp: NOW_S + 3600 }), SECRET, 'ok'],
    ['another secret', BODY, header({ secret: 'whsec_other' }), SECRET, 'mismatch'],
    ['a tampered body', `${BODY} `, valid, SECRET, 'mismatch'],
    [
      'a stale signature with another secret (mismatch wins)',
      BODY,
      header({ secret: 'x', timestamp: 1 }),
      SECRET,
      'mismatch',
    ],
    ['the timestamp changed after signing', BODY, valid.replace(`t=${NOW_S}`, `t=${NOW_S + 1}`), SECRET, 'mismatch'],
    ['one good v1 among bad ones', BODY, `t=${NOW_S},v1=${'0'.repeat(64)},v1=${validSignature}`, SECRET, 'ok'],
    ['only a v0 signature (other scheme)', BODY, header({ scheme: 'v0' }), SECRET, 'mismatch'],
    ['no timestamp', BODY, `v1=${validSignature}`, SECRET, 'mismatch'],
    ['no signature', BODY, `t=${NOW_S}`, SECRET, 'mismatch'],
    ['garbage header', BODY, 'not a signature', SECRET, 'mismatch'],
    ['a blank secret', BODY, valid, ' ', 'mismatch'],
    [
      'an upper-case hex signature',
      BODY,
      valid.replace(validSignature, validSignature.toUpperCase()),
      SECRET,
      'mismatch',
    ],
    ['a non-ASCII body signed as sent', '{"name":"Zoë"}', header({ payload: '{"name":"Zoë"}' }), SECRET, 'ok'],
  ])('%s', async (_name, payload, signature, secret, verdict) => {
    expect(await stripeNodeVerdict(payload, signature, secret)).toBe(verdict);
    expect(ourVerdict(payload, signature, secret)).toBe(verdict);
  });

  it('refuses an empty v1 value as a mismatch (stripe-node throws a plain Error there, which answered 500)', () => {
    expect(ourVerdict(BODY, `t=${NOW_S},v1=`, SECRET)).toBe('mismatch');
  });
});

describe('StripeSignatureVerifier', () => {
  const secretOf = (values: string[]) => {
    let reads = 0;
    return {
      reads: () => reads,
      secret: {
        get: async () => values[0] as string,
        refresh: async () => {
          reads += 1;
          return values[Math.min(reads, values.length - 1)] as string;
        },
      },
    };
  };
  const clock = { now: () => new Date(NOW_MS) };

  it('returns the parsed event', async () => {
    const { secret } = secretOf([SECRET]);
    await expect(new StripeSignatureVerifier(secret, clock).verify(BODY, valid)).resolves.toEqual(JSON.parse(BODY));
  });

  it('re-reads the secret once on a mismatch and accepts the rotated one', async () => {
    const s = secretOf(['whsec_old', SECRET]);
    await expect(new StripeSignatureVerifier(s.secret, clock).verify(BODY, valid)).resolves.toEqual(JSON.parse(BODY));
    expect(s.reads()).toBe(1);
  });

  it('does not re-read the secret for a stale timestamp, and names it', async () => {
    const s = secretOf([SECRET]);
    const error = await new StripeSignatureVerifier(s.secret, clock)
      .verify(BODY, header({ timestamp: NOW_S - 301 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureRejectedError);
    expect((error as Error).message).toBe('the signature timestamp is outside the tolerance');
    expect(s.reads()).toBe(0);
  });

  it('throws a SyntaxError for a validly signed body that is not JSON', async () => {
    const { secret } = secretOf([SECRET]);
    const verify = new StripeSignatureVerifier(secret, clock).verify('not json', header({ payload: 'not json' }));
    await expect(verify).rejects.toBeInstanceOf(SyntaxError);
  });
});
