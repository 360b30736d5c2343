import { describe, expect, it } from 'vitest';
import { useEmulator } from './support';

/**
 * Stripe's error shapes (https://docs.stripe.com/api/errors, codes under https://stripe.com/docs/error-codes) and
 * idempotent requests (https://docs.stripe.com/api/idempotent_requests: keys may be pruned after 24 hours).
 */
const emulatorOf = useEmulator();

describe('Errors like Stripe', () => {
  it('answers parameters Stripe refuses with type, code, param and doc_url', async () => {
    // Prepare
    const emulator = emulatorOf();
    const post = (path: string, body: string) =>
      fetch(`${emulator.apiBase}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${emulator.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error: Record<string, string> } }));

    // Act
    const badUrl = await post(
      '/v1/checkout/sessions',
      'mode=subscription&line_items[0][price]=price_local_pro_monthly&success_url=not-a-url',
    );
    const unknown = await post('/v1/customers', 'emial=typo@example.com');
    const missing = await post('/v1/checkout/sessions', 'line_items[0][price]=price_local_pro_monthly');
    const notInteger = await post('/v1/subscriptions', 'customer=cus_x&items[0][price]=p&trial_period_days=abc');
    const noSuchPrice = await post('/v1/prices/price_missing', 'active=false');

    // Assess
    expect(badUrl).toEqual({
      status: 400,
      body: {
        error: {
          type: 'invalid_request_error',
          code: 'url_invalid',
          param: 'success_url',
          message: 'Not a valid URL',
          doc_url: 'https://stripe.com/docs/error-codes/url-invalid',
        },
      },
    });
    expect(unknown.body.error).toMatchObject({
      code: 'parameter_unknown',
      param: 'emial',
      doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown',
    });
    expect(missing).toMatchObject({ status: 400, body: { error: { code: 'parameter_missing', param: 'mode' } } });
    expect(notInteger).toMatchObject({
      status: 400,
      body: {
        error: { code: 'parameter_invalid_integer', param: 'trial_period_days', message: 'Invalid integer: abc' },
      },
    });
    expect(noSuchPrice).toMatchObject({ status: 404, body: { error: { code: 'resource_missing' } } });
  });
});

describe('Idempotency keys', () => {
  it('replay for 24 hours of emulator time, then the same key runs the request again', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const key = `idem-${Date.now()}`;
    const params = { email: 'idem-ttl@example.com' };

    // Act
    const first = await stripe.customers.create(params, { idempotencyKey: key });
    emulator.advance(23 * 3600);
    const replayed = await stripe.customers.create(params, { idempotencyKey: key });
    emulator.advance(3600);
    const afterExpiry = await stripe.customers.create(params, { idempotencyKey: key });

    // Assess
    expect(replayed.id).toBe(first.id);
    expect(afterExpiry.id).not.toBe(first.id);
  });
});
