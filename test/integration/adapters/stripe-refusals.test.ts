import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeBillingGateway } from '../../../lambdas/adapters/stripe/stripe-billing';
import { InvalidInputError } from '../../../lambdas/domain/errors';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { type StripeEmulator, startStripeEmulator } from '../../../local/stripe/emulator';

/**
 * A parameter Stripe refuses becomes a 400-class InvalidInputError naming our field with Stripe's message (issue 15
 * item 9), never a 500, against the Stripe emulator through the real Stripe SDK. The emulator refuses what Stripe
 * refuses: a redirect URL over 5000 characters ("Invalid URL: URL must be 5000 characters or less.", see
 * local/stripe/routes/route.ts optUrl). Our own schema caps redirect URLs at 2048 characters, so through the API this
 * is the adapter's guard for whatever else Stripe refuses.
 */
describe('Stripe parameter refusals through the billing gateway', () => {
  let emulator: StripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator({ catalog: PlanCatalog.defaults() });
    emulator.saveDefaultPortalConfiguration();
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  const longUrl = `http://localhost:5173/billing/done?${'x'.repeat(5000)}`;

  it('checkout: InvalidInputError naming successUrl with Stripe message; no session is created', async () => {
    // Prepare
    const stripe = emulator.client();
    const customer = await stripe.customers.create({ email: 'refused@example.com' });
    const gateway = new StripeBillingGateway(async () => stripe);
    const priceId = await gateway.priceIdForLookupKey('pro_monthly');

    // Act
    const error = await gateway
      .createCheckoutSession({
        customerId: customer.id,
        priceId: String(priceId),
        sub: 'sub-refused',
        plan: 'pro',
        interval: 'month',
        successUrl: longUrl,
        cancelUrl: 'http://localhost:5173/billing/cancel',
        idempotencyKey: `refused-${Date.now()}`,
      })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(
      'successUrl: Stripe refused it (Invalid URL: URL must be 5000 characters or less.); send another value, or ' +
        'leave it out to use the default',
    );
    expect((await stripe.checkout.sessions.list({ customer: customer.id })).data).toEqual([]);
  });

  it('portal: InvalidInputError naming returnUrl', async () => {
    // Prepare
    const stripe = emulator.client();
    const customer = await stripe.customers.create({ email: 'refused-portal@example.com' });
    const gateway = new StripeBillingGateway(async () => stripe);

    // Act
    const error = await gateway.createPortalSession({ customerId: customer.id, returnUrl: longUrl }).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain('returnUrl: Stripe refused it (Invalid URL: URL must be 5000');
  });
});
