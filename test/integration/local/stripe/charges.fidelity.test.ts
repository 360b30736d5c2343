import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../../../local/stripe/emulator';
import type { StripeEvent } from '../../../../local/stripe/types';
import { advanceTo, customerWithCard, mine, periodEnd, priceOf, productReads, statuses, useEmulator } from './support';

/**
 * Charges, refunds and disputes, as Stripe documents them: https://docs.stripe.com/refunds and
 * https://docs.stripe.com/api/refunds (`refund.created` + `charge.refunded`; partial refunds; at most the unrefunded
 * amount), https://docs.stripe.com/testing#refunds (4000000000005126: the refund later fails, `refund.failed`),
 * https://docs.stripe.com/disputes/api and https://docs.stripe.com/testing#disputes (4000000000000259 is disputed;
 * evidence `winning_evidence` wins, `losing_evidence` loses; closing accepts the loss).
 */
const emulatorOf = useEmulator();
const HOUR = 3600;

async function paidSubscription(emulator: StripeEmulator, token = 'pm_card_visa') {
  const stripe = emulator.client();
  const customer = await customerWithCard(stripe, token);
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: (await priceOf(stripe)).id }],
  });
  const charge = (await stripe.charges.list({ customer: customer.id })).data[0] as Stripe.Charge;
  return { stripe, customer, subscription, charge };
}

/** Dispute events name the charge, not the customer. */
const ofCharge = (events: StripeEvent[], charge: string) =>
  events.filter((e) => (e.data.object as { charge?: string }).charge === charge && e.type.startsWith('charge.dispute'));

function since(emulator: StripeEmulator) {
  const from = emulator.events().length;
  return (customer: string) => mine(emulator.events().slice(from), customer);
}

describe('Refunds', () => {
  it('a full refund of the subscription charge: refund.created and charge.refunded (refunded: true), read as a full refund', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { stripe, customer, charge } = await paidSubscription(emulator);
    const events = since(emulator);

    // Act
    const refund = await stripe.refunds.create({ charge: charge.id });

    // Assess
    expect(refund).toMatchObject({ status: 'succeeded', amount: charge.amount, charge: charge.id });
    const sent = events(customer.id);
    expect(statuses(sent)).toEqual([
      ['refund.created', 'succeeded'],
      ['charge.refunded', 'succeeded'],
    ]);
    expect(sent[1]?.data.object).toMatchObject({ amount_refunded: charge.amount, refunded: true });
    expect(sent[1]?.data.previous_attributes).toMatchObject({ amount_refunded: 0, refunded: false });
    expect(productReads(sent)).toEqual([
      expect.objectContaining({
        customerId: customer.id,
        signal: { kind: 'refund', chargeId: charge.id, full: true, metadataSub: null },
      }),
    ]);
  });

  it('partial refunds add up to the charge; more than the unrefunded amount is amount_too_large; a refunded charge refuses another', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { stripe, customer, charge } = await paidSubscription(emulator);
    const events = since(emulator);

    // Act
    await stripe.refunds.create({ charge: charge.id, amount: 900 });
    const tooMuch = await stripe.refunds.create({ charge: charge.id, amount: charge.amount }).catch((e: unknown) => e);
    await stripe.refunds.create({ charge: charge.id, amount: charge.amount - 900 });
    const again = await stripe.refunds.create({ charge: charge.id, amount: 1 }).catch((e: unknown) => e);

    // Assess
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(again).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    const reads = productReads(events(customer.id));
    expect(reads.map((r) => (r.signal as { full: boolean }).full)).toEqual([false, true]);
    expect((await stripe.charges.retrieve(charge.id)).amount_refunded).toBe(charge.amount);
  });

  it('refunds an older charge (the first invoice) after a renewal was paid', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { stripe, customer, subscription, charge } = await paidSubscription(emulator);
    advanceTo(emulator, periodEnd(subscription) + HOUR);
    const charges = (await stripe.charges.list({ customer: customer.id })).data;

    // Act
    const refund = await stripe.refunds.create({ charge: charge.id });

    // Assess
    expect(charges.map((c) => c.id)).toEqual([expect.any(String), charge.id]);
    expect(refund.charge).toBe(charge.id);
    expect((await stripe.charges.retrieve(charges[0]?.id ?? '')).refunded).toBe(false);
  });

  it('a one-off payment (PaymentIntent) is refundable by payment_intent', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await customerWithCard(stripe);
    const intent = await stripe.paymentIntents.create({
      amount: 500,
      currency: 'usd',
      customer: customer.id,
      payment_method: 'pm_card_visa',
      confirm: true,
      off_session: true,
    });
    const events = since(emulator);

    // Act
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 200 });

    // Assess
    expect(intent.status).toBe('succeeded');
    expect(refund).toMatchObject({ charge: intent.latest_charge, amount: 200 });
    expect(productReads(events(customer.id))[0]?.signal).toMatchObject({ kind: 'refund', full: false });
  });

  it('test card 4000000000005126: the refund starts succeeded, an hour later refund.updated + refund.failed and the charge is no longer refunded', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { stripe, customer, charge } = await paidSubscription(emulator, 'pm_card_refundFail');
    await stripe.refunds.create({ charge: charge.id });

    // Act
    const later = mine(emulator.advance(HOUR), customer.id);

    // Assess
    expect(statuses(later)).toEqual([
      ['refund.updated', 'failed'],
      ['refund.failed', 'failed'],
    ]);
    expect(later[1]?.data.object).toMatchObject({ failure_reason: 'expired_or_canceled_card' });
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 0, refunded: false });
  });
});

describe('Which invoice a charge paid (https://docs.stripe.com/api/invoice-payment)', () => {
  it("a subscription charge's PaymentIntent has the invoice's payment; a one-off charge's has none", async () => {
    // Prepare
    const emulator = emulatorOf();
    const { stripe, customer, subscription, charge } = await paidSubscription(emulator);
    const oneOff = await stripe.paymentIntents.create({
      customer: customer.id,
      amount: 500,
      currency: 'usd',
      payment_method: String(customer.invoice_settings.default_payment_method),
      confirm: true,
    });

    // Act
    const ofSubscription = await stripe.invoicePayments.list({
      payment: { type: 'payment_intent', payment_intent: String(charge.payment_intent) },
      expand: ['data.invoice'],
    });
    const ofOneOff = await stripe.invoicePayments.list({
      payment: { type: 'payment_intent', payment_intent: oneOff.id },
    });

    // Assess
    const invoice = ofSubscription.data[0]?.invoice as Stripe.Invoice;
    expect(ofSubscription.data).toHaveLength(1);
    expect(invoice).toMatchObject({
      id: subscription.latest_invoice,
      amount_paid: charge.amount,
      parent: { subscription_details: { subscription: subscription.id } },
    });
    expect(ofSubscription.data[0]).toMatchObject({
      status: 'paid',
      payment: { payment_intent: charge.payment_intent },
    });
    expect(ofOneOff.data).toEqual([]);
  });
});

describe('Disputes', () => {
  it('test card 4000000000000259: disputed right after the payment (created, funds_withdrawn); winning evidence -> under_review -> won', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { stripe, charge } = await paidSubscription(emulator, 'pm_card_createDispute');
    const opened = ofCharge(emulator.events(), charge.id);
    const dispute = (await stripe.disputes.list({ charge: charge.id })).data[0] as Stripe.Dispute;
    const from = emulator.events().length;

    // Act
    await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    const updated = ofCharge(emulator.events().slice(from), charge.id);
    const closed = ofCharge(emulator.advance(HOUR), charge.id);

    // Assess
    expect(statuses(opened)).toEqual([
      ['charge.dispute.created', 'needs_response'],
      ['charge.dispute.funds_withdrawn', 'needs_response'],
    ]);
    expect(opened[0]?.data.object).toMatchObject({ charge: charge.id, reason: 'fraudulent', amount: charge.amount });
    expect(productReads(opened)[0]).toMatchObject({
      customerId: null,
      signal: { kind: 'dispute', chargeId: charge.id, outcome: 'open', fundsReinstated: false },
    });
    expect(statuses(updated)).toEqual([['charge.dispute.updated', 'under_review']]);
    expect(statuses(closed)).toEqual([
      ['charge.dispute.closed', 'won'],
      ['charge.dispute.funds_reinstated', 'won'],
    ]);
    expect(productReads(closed).map((r) => r.signal)).toMatchObject([
      { outcome: 'won', fundsReinstated: false },
      { outcome: 'won', fundsReinstated: true },
    ]);
    expect((await stripe.charges.retrieve(charge.id)).disputed).toBe(true);
  });

  it('losing evidence loses; closing a dispute accepts the loss; a disputed charge cannot be refunded', async () => {
    // Prepare
    const emulator = emulatorOf();
    const first = await paidSubscription(emulator);
    const second = await paidSubscription(emulator);
    const losing = emulator.disputeCharge(first.charge.id, 'product_not_received');
    const accepted = emulator.disputeCharge(second.charge.id);

    // Act
    await first.stripe.disputes.update(losing.id, { evidence: { uncategorized_text: 'losing_evidence' } });
    const lost = ofCharge(emulator.advance(HOUR), first.charge.id);
    const closedNow = await second.stripe.disputes.close(accepted.id);
    const refund = await second.stripe.refunds.create({ charge: second.charge.id }).catch((e: unknown) => e);

    // Assess
    expect(statuses(lost)).toEqual([['charge.dispute.closed', 'lost']]);
    expect(productReads(lost)[0]?.signal).toMatchObject({ outcome: 'lost', fundsReinstated: false });
    expect(closedNow.status).toBe('lost');
    expect(refund).toMatchObject({ statusCode: 400, code: 'charge_disputed' });
  });
});
