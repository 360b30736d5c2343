import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { type SecretFetcher, SecretNotSetError, SecretValue } from '../../../lambdas/platform/secrets';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:StripeWebhookSigningSecret-AbCdEf';

/** A Secrets Manager stand-in answering from a script of outcomes, recording how it was asked. */
function scripted(...outcomes: (string | Error)[]) {
  const calls: { forceFetch: boolean }[] = [];
  const fetch: SecretFetcher = async (_arn, options) => {
    calls.push({ forceFetch: options.forceFetch });
    const next = outcomes.length > 1 ? outcomes.shift() : outcomes[0];
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch, calls };
}

describe('SecretValue', () => {
  it('does not cache a failed fetch: the next call reads again and recovers', async () => {
    const store = scripted(new Error('ServiceUnavailable'), 'whsec_good');
    const secret = new SecretValue('stripeWebhookSecret', { arn: ARN }, store.fetch);

    await expect(secret.get()).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(secret.get()).resolves.toBe('whsec_good');

    expect(store.calls).toHaveLength(2);
  });

  it('recognises the placeholder CDK generates and names the secret to set', async () => {
    const secret = new SecretValue('stripeWebhookSecret', { arn: ARN }, scripted('x7Kq!p0-random-placeholder').fetch);

    const error = await secret.get().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretNotSetError);
    expect((error as SecretNotSetError).message).toContain(`put-secret-value --secret-id ${ARN}`);
    expect((error as SecretNotSetError).publicMessage).toContain('STRIPE_WEBHOOK_SECRET_ARN');
    expect((error as SecretNotSetError).publicMessage).not.toContain(ARN);
  });

  it('re-reads a cached placeholder at once, so a value set after deploy is used without waiting for the cache', async () => {
    const store = scripted('placeholder-from-cdk', 'whsec_set_by_operator');
    const secret = new SecretValue('stripeWebhookSecret', { arn: ARN }, store.fetch);

    await expect(secret.get()).resolves.toBe('whsec_set_by_operator');

    expect(store.calls).toEqual([{ forceFetch: false }, { forceFetch: true }]);
  });

  it('refresh() forces a fetch past the cache (a rotation)', async () => {
    const store = scripted('whsec_old', 'whsec_new');
    const secret = new SecretValue('stripeWebhookSecret', { arn: ARN }, store.fetch);

    await secret.get();
    const fresh = await secret.refresh();

    expect(fresh).toBe('whsec_new');
    expect(store.calls).toEqual([{ forceFetch: false }, { forceFetch: true }]);
  });

  it('uses the local value without any fetch, and still checks its shape', async () => {
    const store = scripted('never');
    await expect(new SecretValue('stripeApiKey', { localValue: 'sk_test_1' }, store.fetch).get()).resolves.toBe(
      'sk_test_1',
    );
    await expect(new SecretValue('stripeApiKey', { localValue: 'oops' }, store.fetch).get()).rejects.toThrow(
      /STRIPE_SECRET_KEY does not hold a value starting with sk_live_/,
    );
    expect(store.calls).toHaveLength(0);
  });
});
