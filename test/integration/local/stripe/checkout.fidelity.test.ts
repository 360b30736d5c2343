import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { advanceTo, checkoutSession, eventsOf, mine, productReads, statuses, types, useEmulator } from './support';

/**
 * Checkout in subscription mode, as Stripe documents it:
 * https://docs.stripe.com/billing/subscriptions/build-subscriptions?payment-ui=stripe-hosted (events of a new
 * subscription), https://docs.stripe.com/checkout/fulfillment (async payment methods: `checkout.session.completed`
 * unpaid, then `async_payment_succeeded/_failed`), https://docs.stripe.com/webhooks#event-ordering (no guaranteed
 * order between them; only causality is asserted: created before updated, an invoice created before it is paid).
 */
const emulatorOf = useEmulator();

async function newCustomer(stripe: Stripe) {
  return stripe.customers.create({
    email: `checkout-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`,
    metadata: { cognito_sub: `sub-${Math.random().toString(36).slice(2)}` },
  });
}

const precedes = (list: string[], first: string, second: string) => list.indexOf(first) < list.indexOf(second);

describe('Checkout (card, no trial)', () => {
  it('sends created (incomplete), the invoice and payment events, updated (active) and the session completed (paid), in one second', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await checkoutSession(stripe, customer);
    const since = emulator.events().length;

    // Act
    const paid = await fetch(session.url ?? '', { headers: { accept: 'application/json' } });

    // Assess
    expect(paid.status).toBe(200);
    const events = eventsOf(emulator, customer.id, since);
    const list = types(events);
    expect([...list].sort()).toEqual(
      [
        'charge.succeeded',
        'checkout.session.completed',
        'customer.subscription.created',
        'customer.subscription.updated',
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice.payment_succeeded',
        'payment_intent.created',
        'payment_intent.succeeded',
        'payment_method.attached',
      ].sort(),
    );
    expect(precedes(list, 'customer.subscription.created', 'customer.subscription.updated')).toBe(true);
    expect(precedes(list, 'invoice.created', 'invoice.paid')).toBe(true);
    expect(new Set(events.map((e) => e.created)).size).toBe(1);
    const byType = Object.fromEntries(statuses(events));
    expect(byType).toMatchObject({
      'customer.subscription.created': 'incomplete',
      'customer.subscription.updated': 'active',
      'invoice.created': 'draft',
      'invoice.finalized': 'open',
      'invoice.paid': 'paid',
      'charge.succeeded': 'succeeded',
      'checkout.session.completed': 'complete',
    });
    const updated = events.find((e) => e.type === 'customer.subscription.updated');
    expect(updated?.data.previous_attributes).toMatchObject({ status: 'incomplete' });
    const completed = events.find((e) => e.type === 'checkout.session.completed')?.data.object;
    expect(completed).toMatchObject({
      payment_status: 'paid',
      customer: customer.id,
      client_reference_id: customer.metadata.cognito_sub,
    });

    // What the product reads: every handled event parses; the subscription and invoices name each other.
    const reads = productReads(events);
    const subscriptionId = String(completed?.subscription);
    expect(reads.map((r) => [r.type, r.signal.kind])).toEqual(
      reads.map((r) => [
        r.type,
        r.type.startsWith('invoice') ? 'invoice' : r.type.startsWith('checkout') ? 'checkout' : 'subscription',
      ]),
    );
    for (const read of reads) {
      expect(read.customerId).toBe(customer.id);
      if (read.signal.kind === 'subscription') {
        expect(read.signal.subscription).toMatchObject({
          id: subscriptionId,
          metadataSub: customer.metadata.cognito_sub,
          priceLabel: 'pro_monthly',
        });
        expect(read.signal.subscription.currentPeriodEnd).toBeGreaterThan(read.created);
      }
      if (read.signal.kind === 'invoice') expect(read.signal.subscriptionId).toBe(subscriptionId);
      if (read.signal.kind === 'checkout')
        expect(read.signal).toMatchObject({ subscriptionId, clientReferenceId: customer.metadata.cognito_sub });
    }
  });

  it('refuses a declined card (4000000000000002) like the hosted page does: 402, the session stays open, nothing is created', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await checkoutSession(stripe, customer);
    const since = emulator.events().length;

    // Act
    const declined = await fetch(`${session.url}?card=4000000000000002`);

    // Assess
    expect(declined.status).toBe(402);
    expect(await declined.json()).toMatchObject({
      error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' },
    });
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect(eventsOf(emulator, customer.id, since)).toEqual([]);
  });
});

describe('Checkout with a trial', () => {
  it('saves the card, starts trialing with a $0 paid invoice, completes no_payment_required; trial_will_end 3 days before the end', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await checkoutSession(stripe, customer, { trialDays: 14 });
    const since = emulator.events().length;

    // Act
    const { subscription } = emulator.completeCheckout(session.id);
    const atCheckout = eventsOf(emulator, customer.id, since);
    const trialEnd = subscription.trial_end ?? 0;
    const beforeWarning = mine(advanceTo(emulator, trialEnd - 3 * 86400 - 1), customer.id);
    const warning = mine(advanceTo(emulator, trialEnd - 3 * 86400), customer.id);

    // Assess
    expect(statuses(atCheckout)).toEqual([
      ['payment_method.attached', null],
      ['setup_intent.created', 'requires_payment_method'],
      ['setup_intent.succeeded', 'succeeded'],
      ['customer.subscription.created', 'trialing'],
      ['invoice.created', 'draft'],
      ['invoice.finalized', 'open'],
      ['invoice.paid', 'paid'],
      ['invoice.payment_succeeded', 'paid'],
      ['checkout.session.completed', 'complete'],
    ]);
    const invoice = atCheckout.find((e) => e.type === 'invoice.paid')?.data.object;
    expect(invoice).toMatchObject({ amount_paid: 0, amount_due: 0, billing_reason: 'subscription_create' });
    expect(atCheckout.at(-1)?.data.object).toMatchObject({ payment_status: 'no_payment_required' });
    expect(trialEnd).toBe(subscription.created + 14 * 86400);
    expect(types(beforeWarning)).toEqual([]);
    expect(statuses(warning)).toEqual([['customer.subscription.trial_will_end', 'trialing']]);
    expect(warning[0]?.created).toBe(trialEnd - 3 * 86400);
    expect(productReads(warning)[0]?.signal).toMatchObject({ subscription: { status: 'trialing', trialEnd } });
  });
});

describe('Checkout with an async payment method (bank debit)', () => {
  it('completes the session unpaid while the subscription stays incomplete, then async_payment_succeeded and active', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await checkoutSession(stripe, customer);
    const since = emulator.events().length;

    // Act
    const paid = await (await fetch(`${session.url}?bank_account=000123456789`)).json();
    const atCheckout = eventsOf(emulator, customer.id, since);
    const dayLater = mine(emulator.advance(86400), customer.id);
    const settled = mine(emulator.advance(3 * 86400), customer.id);

    // Assess
    expect(paid).toMatchObject({ payment_status: 'unpaid', status: 'incomplete' });
    expect(statuses(atCheckout).filter(([type]) => type !== 'payment_method.attached')).toEqual([
      ['customer.subscription.created', 'incomplete'],
      ['invoice.created', 'draft'],
      ['invoice.finalized', 'open'],
      ['payment_intent.created', 'requires_payment_method'],
      ['charge.pending', 'pending'],
      ['payment_intent.processing', 'processing'],
      ['checkout.session.completed', 'complete'],
    ]);
    expect(atCheckout.at(-1)?.data.object).toMatchObject({ payment_status: 'unpaid' });
    expect(types(dayLater)).toEqual([]); // a processing payment keeps the subscription incomplete past 23 h
    expect(statuses(settled)).toEqual([
      ['charge.succeeded', 'succeeded'],
      ['payment_intent.succeeded', 'succeeded'],
      ['invoice.paid', 'paid'],
      ['invoice.payment_succeeded', 'paid'],
      ['customer.subscription.updated', 'active'],
      ['checkout.session.async_payment_succeeded', 'complete'],
    ]);
    expect(settled.at(-1)?.data.object).toMatchObject({ payment_status: 'paid' });
  });

  it('a failed bank debit sends async_payment_failed and the subscription expires (incomplete_expired, invoice voided)', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await newCustomer(stripe);
    const session = await checkoutSession(stripe, customer);
    emulator.completeCheckout(session.id, { bankAccount: '000111111113' });

    // Act
    const settled = mine(emulator.advance(4 * 86400), customer.id);

    // Assess
    expect(statuses(settled)).toEqual([
      ['charge.failed', 'failed'],
      ['payment_intent.payment_failed', 'requires_payment_method'],
      ['invoice.payment_failed', 'open'],
      ['checkout.session.async_payment_failed', 'complete'],
      ['customer.subscription.updated', 'incomplete_expired'],
      ['invoice.voided', 'void'],
    ]);
    expect(settled.find((e) => e.type === 'charge.failed')?.data.object).toMatchObject({
      failure_code: 'account_closed',
    });
    expect(productReads(settled).map((r) => r.signal.kind)).toEqual([
      'invoice',
      'credit-purchase',
      'subscription',
      'invoice',
    ]);
  });
});
