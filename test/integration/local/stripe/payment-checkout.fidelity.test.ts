import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { eventsOf, mine, objectOf, priceOf, statuses, types, useEmulator } from './support';

/**
 * Checkout in payment mode (one-time prices: the credit packs), as Stripe documents it:
 * https://docs.stripe.com/payments/checkout/how-checkout-works (the PaymentIntent is created when the customer
 * pays), https://docs.stripe.com/checkout/fulfillment (`checkout.session.completed` paid, or unpaid then
 * `async_payment_succeeded/_failed` for delayed methods), https://docs.stripe.com/api/checkout/sessions/create
 * (payment mode takes one-time prices; `subscription_data` belongs to subscription mode),
 * https://docs.stripe.com/webhooks#event-ordering (no order guaranteed: the set is asserted, not the order).
 */
const emulatorOf = useEmulator();

async function newCustomer(stripe: Stripe) {
  return stripe.customers.create({
    email: `pack-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`,
    metadata: { cognito_sub: `sub-${Math.random().toString(36).slice(2)}` },
  });
}

async function packSession(stripe: Stripe, customer: Stripe.Customer, quantity = 1, lookupKey = 'credits_500') {
  const sub = customer.metadata.cognito_sub ?? 'sub';
  return stripe.checkout.sessions.create({
    mode: 'payment',
    customer: customer.id,
    client_reference_id: sub,
    line_items: [{ price: (await priceOf(stripe, lookupKey)).id, quantity }],
    success_url: 'http://localhost:5173/done',
    cancel_url: 'http://localhost:5173/cancel',
    metadata: { cognito_sub: sub, credit_pack: 'credits_500' },
    payment_intent_data: { metadata: { cognito_sub: sub } },
  });
}

describe('Checkout in payment mode (card)', () => {
  it('creates no PaymentIntent until paid; paying sends the payment events and the session completed (paid), no subscription or invoice', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await packSession(stripe, customer, 2);
    expect(session).toMatchObject({ mode: 'payment', status: 'open', payment_intent: null, amount_total: 5000 });
    const since = emulator.events().length;

    // Act
    const paid = await fetch(session.url ?? '', { headers: { accept: 'application/json' } });

    // Assess
    expect(paid.status).toBe(200);
    const events = eventsOf(emulator, customer.id, since);
    expect([...types(events)].sort()).toEqual(
      [
        'charge.succeeded',
        'checkout.session.completed',
        'payment_intent.created',
        'payment_intent.succeeded',
        'payment_method.attached',
      ].sort(),
    );
    expect(new Set(events.map((e) => e.created)).size).toBe(1);
    const completed = objectOf<Stripe.Checkout.Session>(events.find((e) => e.type === 'checkout.session.completed'));
    expect(completed).toMatchObject({
      mode: 'payment',
      status: 'complete',
      payment_status: 'paid',
      customer: customer.id,
      client_reference_id: customer.metadata.cognito_sub,
      metadata: { cognito_sub: customer.metadata.cognito_sub, credit_pack: 'credits_500' },
      subscription: null,
      invoice: null,
    });
    const intent = await stripe.paymentIntents.retrieve(String(completed.payment_intent));
    expect(intent).toMatchObject({ status: 'succeeded', amount: 5000, customer: customer.id });
    // Session metadata is not copied: only payment_intent_data.metadata reaches the PaymentIntent and its charge.
    expect(intent.metadata).toEqual({ cognito_sub: customer.metadata.cognito_sub });
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    expect(charge).toMatchObject({ payment_intent: intent.id, amount: 5000, paid: true });
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ payment_intent: intent.id });
  });

  it('a declined card leaves the session open and completes nothing', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await packSession(stripe, customer);
    const since = emulator.events().length;

    // Act / Assess
    expect(() => emulator.completePaymentCheckout(session.id, { paymentMethod: 'pm_card_chargeDeclined' })).toThrow(
      /declined/,
    );
    expect(types(eventsOf(emulator, customer.id, since))).not.toContain('checkout.session.completed');
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: 'open' });
  });

  it('refunding the pack charge sends charge.refunded naming the PaymentIntent', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const { paymentIntent } = emulator.completePaymentCheckout((await packSession(stripe, customer)).id);
    const since = emulator.events().length;

    // Act
    await stripe.refunds.create({ payment_intent: paymentIntent.id });

    // Assess
    const refunded = eventsOf(emulator, customer.id, since).find((e) => e.type === 'charge.refunded');
    expect(refunded?.data.object).toMatchObject({ payment_intent: paymentIntent.id, refunded: true });
  });
});

describe('Checkout in payment mode (bank debit)', () => {
  it('completes unpaid, then sends async_payment_succeeded (paid) when the debit settles', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await packSession(stripe, customer);

    // Act
    const started = emulator.completePaymentCheckout(session.id, { bankAccount: '000123456789' });
    const atCompletion = { ...started.session };
    const settled = mine(emulator.advance(4 * 86400), customer.id);

    // Assess
    expect(atCompletion).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expect(statuses(settled)).toEqual([
      ['charge.succeeded', 'succeeded'],
      ['payment_intent.succeeded', 'succeeded'],
      ['checkout.session.async_payment_succeeded', 'complete'],
    ]);
    expect(settled.at(-1)?.data.object).toMatchObject({
      payment_status: 'paid',
      payment_intent: started.paymentIntent.id,
    });
  });

  it('a failed debit sends async_payment_failed and the session stays unpaid', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await packSession(stripe, customer);
    emulator.completePaymentCheckout(session.id, { bankAccount: '000111111113' });

    // Act
    const settled = mine(emulator.advance(4 * 86400), customer.id);

    // Assess
    expect(statuses(settled)).toEqual([
      ['charge.failed', 'failed'],
      ['payment_intent.payment_failed', 'requires_payment_method'],
      ['checkout.session.async_payment_failed', 'complete'],
    ]);
    expect(settled.at(-1)?.data.object).toMatchObject({ payment_status: 'unpaid' });
  });
});

describe('Checkout in payment mode: what Stripe refuses', () => {
  it.each([
    ['a recurring price', { line: 'pro_monthly', subscriptionData: false }, /recurring price/],
    ['subscription_data', { line: 'credits_100', subscriptionData: true }, /subscription_data/],
  ])('refuses %s with a 400', async (_name, input, message) => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);

    // Act
    const attempt = stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [{ price: (await priceOf(stripe, input.line)).id, quantity: 1 }],
      success_url: 'http://localhost:5173/done',
      ...(input.subscriptionData ? { subscription_data: { metadata: { a: 'b' } } } : {}),
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(message) });
  });

  it('refuses a one-time price in subscription mode', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);

    // Act
    const attempt = stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: (await priceOf(stripe, 'credits_100')).id, quantity: 1 }],
      success_url: 'http://localhost:5173/done',
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ statusCode: 400 });
  });
});
