import { describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../../../local/stripe/emulator';
import {
  advanceTo,
  checkoutSession,
  customerWithCard,
  mine,
  priceOf,
  productReads,
  statuses,
  types,
  useEmulator,
} from './support';

/**
 * Trials, as Stripe documents them (https://docs.stripe.com/billing/subscriptions/trials):
 * `customer.subscription.trial_will_end` three days before the end (at once when the trial is shorter); at the end
 * the subscription becomes active and its invoice is charged about an hour later; without a payment method
 * `trial_settings.end_behavior.missing_payment_method` cancels, pauses (status `paused`,
 * `customer.subscription.paused`, no invoices until resumed: https://docs.stripe.com/api/subscriptions/resume) or
 * creates an invoice (that fails: past_due). `trial_end=now` ends the trial and charges at once.
 */
const emulatorOf = useEmulator();
const DAY = 86400;
const HOUR = 3600;

/** A trial started through Checkout without collecting a card (`payment_method_collection: if_required`). */
async function cardlessTrial(emulator: StripeEmulator, missing: 'cancel' | 'pause' | 'create_invoice') {
  const stripe = emulator.client();
  const customer = await stripe.customers.create({
    email: `trial-${missing}@example.com`,
    metadata: { cognito_sub: `t-${missing}` },
  });
  const session = await checkoutSession(stripe, customer, { trialDays: 7, collection: 'if_required', missing });
  const { subscription } = emulator.completeCheckout(session.id);
  return { stripe, customer, subscription, trialEnd: subscription.trial_end ?? 0 };
}

describe('Trial ends', () => {
  it('with a card: trial_will_end at -3 days, then active at the end and the invoice is charged an hour later', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await customerWithCard(stripe);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await priceOf(stripe)).id }],
      trial_period_days: 14,
    });
    const trialEnd = subscription.trial_end ?? 0;

    // Act
    const events = mine(advanceTo(emulator, trialEnd + HOUR), customer.id);

    // Assess
    expect(statuses(events)).toEqual([
      ['customer.subscription.trial_will_end', 'trialing'],
      ['customer.subscription.updated', 'active'],
      ['invoice.created', 'draft'],
      ['invoice.finalized', 'open'],
      ['payment_intent.created', 'requires_payment_method'],
      ['charge.succeeded', 'succeeded'],
      ['payment_intent.succeeded', 'succeeded'],
      ['invoice.paid', 'paid'],
      ['invoice.payment_succeeded', 'paid'],
    ]);
    expect(events.map((e) => e.created - trialEnd)).toEqual([-3 * DAY, 0, 0, HOUR, HOUR, HOUR, HOUR, HOUR, HOUR]);
    expect(events[1]?.data.previous_attributes).toMatchObject({ status: 'trialing' });
    expect(productReads(events)[1]?.signal).toMatchObject({
      subscription: { status: 'active', trialEnd, currentPeriodStart: trialEnd },
    });
  });

  it('a trial shorter than 3 days sends trial_will_end at once', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await customerWithCard(stripe);

    const since = emulator.events().length;

    // Act
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await priceOf(stripe)).id }],
      trial_period_days: 2,
    });
    const events = mine(emulator.events().slice(since), customer.id);

    // Assess
    expect(types(events).slice(0, 1)).toEqual(['customer.subscription.created']);
    expect(types(events).at(-1)).toBe('customer.subscription.trial_will_end');
    expect(events.at(-1)?.created).toBe(subscription.created);
  });

  it('without a card, missing_payment_method=cancel: the subscription is canceled at the trial end', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { customer, trialEnd } = await cardlessTrial(emulator, 'cancel');

    // Act
    const events = mine(advanceTo(emulator, trialEnd + 2 * HOUR), customer.id);

    // Assess
    expect(statuses(events)).toEqual([
      ['customer.subscription.trial_will_end', 'trialing'],
      ['customer.subscription.deleted', 'canceled'],
    ]);
    expect(events[1]?.created).toBe(trialEnd);
  });

  it('without a card, missing_payment_method=pause: paused (updated + paused), no invoices; resume charges a new period', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { stripe, customer, subscription, trialEnd } = await cardlessTrial(emulator, 'pause');

    // Act
    const atEnd = mine(advanceTo(emulator, trialEnd + 40 * DAY), customer.id);
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    const since = emulator.events().length;
    const resumed = await stripe.subscriptions.resume(subscription.id, { billing_cycle_anchor: { type: 'now' } });
    const onResume = mine(emulator.events().slice(since), customer.id).filter((e) => e.type !== 'customer.updated');

    // Assess
    expect(statuses(atEnd)).toEqual([
      ['customer.subscription.trial_will_end', 'trialing'],
      ['customer.subscription.updated', 'paused'],
      ['customer.subscription.paused', 'paused'],
    ]);
    expect(resumed.status).toBe('active');
    expect(statuses(onResume)).toEqual([
      ['customer.subscription.updated', 'active'],
      ['invoice.created', 'draft'],
      ['customer.subscription.resumed', 'active'],
      ['invoice.finalized', 'open'],
      ['payment_intent.created', 'requires_payment_method'],
      ['charge.succeeded', 'succeeded'],
      ['payment_intent.succeeded', 'succeeded'],
      ['invoice.paid', 'paid'],
      ['invoice.payment_succeeded', 'paid'],
    ]);
    expect(resumed.items.data[0]?.current_period_start).toBe(emulator.now());
    expect(productReads(onResume).map((r) => r.type)).toContain('customer.subscription.resumed');
  });

  it('without a card, missing_payment_method=create_invoice: active, then the invoice fails (past_due)', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { customer, trialEnd } = await cardlessTrial(emulator, 'create_invoice');

    // Act
    const events = mine(advanceTo(emulator, trialEnd + HOUR), customer.id);

    // Assess
    expect(statuses(events).map(([type, status]) => `${type}:${status}`)).toEqual([
      'customer.subscription.trial_will_end:trialing',
      'customer.subscription.updated:active',
      'invoice.created:draft',
      'invoice.finalized:open',
      'payment_intent.created:requires_payment_method',
      'invoice.payment_failed:open',
      'customer.subscription.updated:past_due',
    ]);
  });

  it('trial_end=now ends the trial and charges at once (billing_reason subscription_update)', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await customerWithCard(stripe);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await priceOf(stripe)).id }],
      trial_period_days: 14,
    });
    const since = emulator.events().length;

    // Act
    const ended = await stripe.subscriptions.update(subscription.id, { trial_end: 'now' });

    // Assess
    expect(ended.status).toBe('active');
    const events = mine(emulator.events().slice(since), customer.id);
    expect(types(events)).toEqual([
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
    expect(events[1]?.data.object).toMatchObject({ billing_reason: 'subscription_update' });
  });
});
