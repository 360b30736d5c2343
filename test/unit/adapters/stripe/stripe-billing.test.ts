import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripeBillingGateway } from '../../../../lambdas/adapters/stripe/stripe-billing';
import { CodedNotConfiguredError } from '../../../../lambdas/domain/coded-errors';
import { ConflictError, DependencyUnavailableError, InvalidInputError } from '../../../../lambdas/domain/errors';

/** A hand double of the three Stripe SDK resources the adapter calls, recording every call. */
function stripeDouble(overrides: { fail?: unknown; prices?: { id: string }[]; sessionUrl?: string | null } = {}) {
  const calls: { method: string; params: unknown; options?: unknown }[] = [];
  const maybeFail = () => {
    if (overrides.fail) throw overrides.fail;
  };
  const client = {
    prices: {
      list: async (params: unknown) => {
        calls.push({ method: 'prices.list', params });
        maybeFail();
        return { data: overrides.prices ?? [{ id: 'price_123' }] };
      },
    },
    checkout: {
      sessions: {
        create: async (params: unknown, options: unknown) => {
          calls.push({ method: 'checkout.sessions.create', params, options });
          maybeFail();
          return {
            id: 'cs_1',
            url: overrides.sessionUrl === undefined ? 'https://checkout.stripe.com/cs_1' : overrides.sessionUrl,
          };
        },
      },
    },
    billingPortal: {
      sessions: {
        create: async (params: unknown) => {
          calls.push({ method: 'billingPortal.sessions.create', params });
          maybeFail();
          return { url: 'https://billing.stripe.com/p/1' };
        },
      },
    },
  };
  return { calls, provider: async () => client as unknown as Stripe };
}

const input = {
  customerId: 'cus_1',
  priceId: 'price_123',
  sub: 'sub-1',
  plan: 'pro',
  interval: 'month',
  successUrl: 'https://app.example.com/ok?id={CHECKOUT_SESSION_ID}',
  cancelUrl: 'https://app.example.com/no',
  idempotencyKey: 'checkout-sub-1-pro-month-1-abc',
};

describe('StripeBillingGateway', () => {
  it('looks prices up by lookup key (active only) and caches hits per container', async () => {
    // Prepare
    let now = 0;
    const stripe = stripeDouble();
    const gateway = new StripeBillingGateway(stripe.provider, () => now);
    // Act
    const first = await gateway.priceIdForLookupKey('pro_monthly');
    now = 60_000;
    const cached = await gateway.priceIdForLookupKey('pro_monthly');
    now = 11 * 60_000;
    await gateway.priceIdForLookupKey('pro_monthly');
    // Assess
    expect(first).toBe('price_123');
    expect(cached).toBe('price_123');
    expect(stripe.calls).toEqual([
      { method: 'prices.list', params: { lookup_keys: ['pro_monthly'], active: true, limit: 1 } },
      { method: 'prices.list', params: { lookup_keys: ['pro_monthly'], active: true, limit: 1 } },
    ]);
  });

  it('answers undefined for an unknown lookup key and does not cache the miss', async () => {
    // Prepare
    const stripe = stripeDouble({ prices: [] });
    const gateway = new StripeBillingGateway(stripe.provider);
    // Act
    const results = [await gateway.priceIdForLookupKey('nope'), await gateway.priceIdForLookupKey('nope')];
    // Assess
    expect(results).toEqual([undefined, undefined]);
    expect(stripe.calls).toHaveLength(2);
  });

  it('creates a subscription-mode session carrying the sub, with the idempotency key', async () => {
    // Prepare
    const stripe = stripeDouble();
    const gateway = new StripeBillingGateway(stripe.provider);
    // Act
    const session = await gateway.createCheckoutSession({ ...input, trialDays: 14 });
    // Assess
    expect(session).toEqual({ id: 'cs_1', url: 'https://checkout.stripe.com/cs_1' });
    expect(stripe.calls[0]).toEqual({
      method: 'checkout.sessions.create',
      params: {
        mode: 'subscription',
        customer: 'cus_1',
        client_reference_id: 'sub-1',
        line_items: [{ price: 'price_123', quantity: 1 }],
        success_url: 'https://app.example.com/ok?id={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://app.example.com/no',
        metadata: { cognito_sub: 'sub-1', plan: 'pro', interval: 'month', trial_days: '14' },
        subscription_data: {
          metadata: { cognito_sub: 'sub-1', plan: 'pro', interval: 'month', trial_days: '14', price_id: 'price_123' },
          trial_period_days: 14,
        },
      },
      options: { idempotencyKey: 'checkout-sub-1-pro-month-1-abc' },
    });
  });

  it('sends no trial when none is offered', async () => {
    // Prepare
    const stripe = stripeDouble();
    // Act
    await new StripeBillingGateway(stripe.provider).createCheckoutSession(input);
    // Assess
    const params = stripe.calls[0]?.params as { subscription_data: Record<string, unknown> };
    expect(params.subscription_data).not.toHaveProperty('trial_period_days');
  });

  it('creates a portal session for the customer with the return URL', async () => {
    // Prepare
    const stripe = stripeDouble();
    // Act
    const session = await new StripeBillingGateway(stripe.provider).createPortalSession({
      customerId: 'cus_1',
      returnUrl: 'https://app.example.com/account',
    });
    // Assess
    expect(session).toEqual({ url: 'https://billing.stripe.com/p/1' });
    expect(stripe.calls[0]?.params).toEqual({ customer: 'cus_1', return_url: 'https://app.example.com/account' });
  });

  it.each(['test', 'live'])(
    'translates Stripe refusing a portal session without a %s mode default configuration to portal_not_configured',
    async (mode) => {
      // Prepare: Stripe's own message (https://docs.stripe.com/customer-management/configure-portal)
      const refused = new Stripe.errors.StripeInvalidRequestError({
        message:
          `No configuration provided and your ${mode} mode default configuration has not been created. Provide a ` +
          `configuration or create your default by saving your customer portal settings in ${mode} mode at ` +
          'https://dashboard.stripe.com/settings/billing/portal.',
        statusCode: 400,
      });
      const gateway = new StripeBillingGateway(stripeDouble({ fail: refused }).provider);
      // Act
      const error = await gateway.createPortalSession({ customerId: 'cus_1', returnUrl: 'u' }).catch((e) => e);
      // Assess
      expect(error).toBeInstanceOf(CodedNotConfiguredError);
      expect(error).toMatchObject({ code: 'portal_not_configured', cause: refused });
      expect(error.publicMessage).toMatch(/customer portal settings in the Stripe Dashboard/);
    },
  );

  it('passes other bad portal requests through', async () => {
    const badRequest = new Stripe.errors.StripeInvalidRequestError({
      message: "No such customer: 'cus_x'",
      code: 'resource_missing',
      param: 'customer',
      statusCode: 400,
    });
    const gateway = new StripeBillingGateway(stripeDouble({ fail: badRequest }).provider);
    await expect(gateway.createPortalSession({ customerId: 'cus_x', returnUrl: 'u' })).rejects.toBe(badRequest);
  });

  it('translates connection, rate-limit and 5xx errors to DependencyUnavailableError', async () => {
    for (const fail of [
      new Stripe.errors.StripeConnectionError({ message: 'socket hang up' }),
      new Stripe.errors.StripeRateLimitError({ message: 'slow down', statusCode: 429 }),
      new Stripe.errors.StripeAPIError({ message: 'oops', statusCode: 500 }),
    ]) {
      // Prepare
      const gateway = new StripeBillingGateway(stripeDouble({ fail }).provider);
      // Act / Assess
      await expect(gateway.priceIdForLookupKey('pro_monthly')).rejects.toBeInstanceOf(DependencyUnavailableError);
    }
  });

  it('translates an idempotency clash to a 409-class error and passes bad requests through', async () => {
    // Prepare
    const clash = new StripeBillingGateway(
      stripeDouble({ fail: new Stripe.errors.StripeIdempotencyError({ message: 'Keys for idempotent requests...' }) })
        .provider,
    );
    const badRequest = new Stripe.errors.StripeInvalidRequestError({
      message: "No such customer: 'cus_x'",
      code: 'resource_missing',
      param: 'customer',
      statusCode: 400,
    });
    const invalid = new StripeBillingGateway(stripeDouble({ fail: badRequest }).provider);
    // Act / Assess
    await expect(clash.createCheckoutSession(input)).rejects.toBeInstanceOf(ConflictError);
    await expect(invalid.createCheckoutSession(input)).rejects.toBe(badRequest);
  });

  it("answers a parameter Stripe refuses as a 400 naming our field, with Stripe's message", async () => {
    // Prepare: what Stripe answers to a success_url over its 5000 characters
    const refused = new Stripe.errors.StripeInvalidRequestError({
      message: 'Invalid URL: URL must be 5000 characters or less.',
      param: 'success_url',
      statusCode: 400,
    });
    const gateway = new StripeBillingGateway(stripeDouble({ fail: refused }).provider);
    const portal = new StripeBillingGateway(
      stripeDouble({
        fail: new Stripe.errors.StripeInvalidRequestError({
          message: 'Not a valid URL',
          code: 'url_invalid',
          param: 'return_url',
          statusCode: 400,
        }),
      }).provider,
    );
    // Act
    const error = await gateway.createCheckoutSession(input).catch((e: unknown) => e);
    const portalError = await portal.createPortalSession({ customerId: 'cus_1', returnUrl: 'u' }).catch((e) => e);
    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(
      'successUrl: Stripe refused it (Invalid URL: URL must be 5000 characters or less.); send another value, or ' +
        'leave it out to use the default',
    );
    expect(portalError).toBeInstanceOf(InvalidInputError);
    expect((portalError as Error).message).toContain('returnUrl: Stripe refused it (Not a valid URL)');
  });

  it('treats a failure to build the client (secret unreadable) as a dependency outage', async () => {
    // Prepare
    const gateway = new StripeBillingGateway(async () => {
      throw Object.assign(new Error('Secrets Manager timeout'), { name: 'TimeoutError' });
    });
    // Act / Assess
    await expect(gateway.createPortalSession({ customerId: 'c', returnUrl: 'u' })).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
  });

  it('treats a session without a url as a dependency failure', async () => {
    // Prepare
    const gateway = new StripeBillingGateway(stripeDouble({ sessionUrl: null }).provider);
    // Act / Assess
    await expect(gateway.createCheckoutSession(input)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
