import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../../../local/stripe/emulator';
import {
  advanceTo,
  customerWithCard,
  mine,
  objectOf,
  periodEnd,
  priceOf,
  productReads,
  statuses,
  types,
  useEmulator,
} from './support';

/**
 * Renewals and dunning, as Stripe documents them:
 * https://docs.stripe.com/billing/invoices/subscription#subscription-renewal (the period advances and a draft invoice
 * is created; it is finalized and attempted about an hour later), https://docs.stripe.com/billing/subscriptions/overview
 * (a failed renewal makes the subscription past_due), https://docs.stripe.com/billing/revenue-recovery/smart-retries
 * (Smart Retries, default 8 tries within 2 weeks, or a custom schedule; then cancel, unpaid or leave past_due).
 */
const emulatorOf = useEmulator();
const HOUR = 3600;
const DAY = 86400;

async function subscribed(emulator: StripeEmulator, token = 'pm_card_visa') {
  const stripe = emulator.client();
  const customer = await customerWithCard(stripe, token);
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: (await priceOf(stripe)).id }],
    metadata: { cognito_sub: customer.metadata.cognito_sub ?? '' },
  });
  return { stripe, customer, subscription };
}

function subscriptionOf(emulator: StripeEmulator, id: string) {
  return emulator.engine.subscription(id);
}

describe('Renewal', () => {
  it('advances the period (updated) with a draft invoice, then an hour later finalizes and charges it (invoice.paid)', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { customer, subscription } = await subscribed(emulator);
    const end = periodEnd(subscription);

    // Act
    const atPeriodEnd = mine(advanceTo(emulator, end), customer.id);
    const anHourLater = mine(advanceTo(emulator, end + HOUR), customer.id);

    // Assess
    expect(subscription.status).toBe('active');
    expect(statuses(atPeriodEnd)).toEqual([
      ['customer.subscription.updated', 'active'],
      ['invoice.created', 'draft'],
    ]);
    const updated = atPeriodEnd[0];
    expect(updated?.created).toBe(end);
    expect(updated?.data.previous_attributes).toHaveProperty('items');
    expect(updated?.data.previous_attributes).toHaveProperty('latest_invoice');
    const item = objectOf<Stripe.Subscription>(updated).items.data[0];
    expect(item?.current_period_start).toBe(end);
    expect(atPeriodEnd[1]?.data.object).toMatchObject({
      billing_reason: 'subscription_cycle',
      automatically_finalizes_at: end + HOUR,
    });
    expect(statuses(anHourLater)).toEqual([
      ['invoice.finalized', 'open'],
      ['payment_intent.created', 'requires_payment_method'],
      ['charge.succeeded', 'succeeded'],
      ['payment_intent.succeeded', 'succeeded'],
      ['invoice.paid', 'paid'],
      ['invoice.payment_succeeded', 'paid'],
    ]);
    expect(anHourLater.every((e) => e.created === end + HOUR)).toBe(true);
    const reads = productReads([...atPeriodEnd, ...anHourLater]);
    expect(reads[0]?.signal).toMatchObject({
      kind: 'subscription',
      subscription: { status: 'active', currentPeriodStart: end },
    });
    expect(
      reads
        .filter((r) => r.signal.kind === 'invoice')
        .map((r) => (r.signal as { subscriptionId: string }).subscriptionId),
    ).toEqual([subscription.id, subscription.id]);
  });
});

describe('Failed renewal and Smart Retries (default: 8 tries within 2 weeks, then cancel)', () => {
  it('fails an hour after the period end (payment_failed + past_due), retries every 2 days, cancels after the 8th try', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { customer, subscription } = await subscribed(emulator);
    const end = periodEnd(subscription);
    emulator.failNextPayment(customer.id, 100);

    // Act
    const firstAttempt = mine(advanceTo(emulator, end + HOUR), customer.id);
    const retries = mine(advanceTo(emulator, end + HOUR + 14 * DAY), customer.id);

    // Assess
    expect(statuses(firstAttempt)).toEqual([
      ['customer.subscription.updated', 'active'],
      ['invoice.created', 'draft'],
      ['invoice.finalized', 'open'],
      ['payment_intent.created', 'requires_payment_method'],
      ['charge.failed', 'failed'],
      ['payment_intent.payment_failed', 'requires_payment_method'],
      ['invoice.payment_failed', 'open'],
      ['customer.subscription.updated', 'past_due'],
    ]);
    const failed = firstAttempt.find((e) => e.type === 'invoice.payment_failed')?.data.object;
    expect(failed).toMatchObject({ attempt_count: 1, next_payment_attempt: end + HOUR + 2 * DAY });
    const retryFailures = retries.filter((e) => e.type === 'invoice.payment_failed');
    expect(retryFailures.map((e) => e.created - (end + HOUR))).toEqual([2, 4, 6, 8, 10, 12, 14].map((d) => d * DAY));
    expect(retryFailures.map((e) => objectOf<Stripe.Invoice>(e).attempt_count)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(objectOf<Stripe.Invoice>(retryFailures.at(-1)).next_payment_attempt).toBeNull();
    const last = retries.at(-1);
    expect(last?.type).toBe('customer.subscription.deleted');
    expect(last?.data.object).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'payment_failed' } });
    expect(last?.created).toBe(end + HOUR + 14 * DAY);
    expect(types(retries).filter((t) => t === 'customer.subscription.updated')).toEqual([]);
  });

  it('recovers when a retry succeeds: invoice.paid and updated (active); the next renewal is charged again', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { customer, subscription } = await subscribed(emulator);
    const end = periodEnd(subscription);
    emulator.failNextPayment(customer.id, 1);

    // Act
    advanceTo(emulator, end + HOUR);
    const retry = mine(advanceTo(emulator, end + HOUR + 2 * DAY), customer.id);

    // Assess
    expect(statuses(retry)).toEqual([
      ['charge.succeeded', 'succeeded'],
      ['payment_intent.succeeded', 'succeeded'],
      ['invoice.paid', 'paid'],
      ['invoice.payment_succeeded', 'paid'],
      ['customer.subscription.updated', 'active'],
    ]);
    expect(retry[4]?.data.previous_attributes).toEqual({ status: 'past_due' });
    expect(subscriptionOf(emulator, subscription.id).status).toBe('active');
  });

  it('test-card style: a default card that declines (4000000000000341) fails; swapping in a good card pays the next retry', async () => {
    // Prepare
    const emulator = emulatorOf();
    const { stripe, customer, subscription } = await subscribed(emulator);
    const end = periodEnd(subscription);
    const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: failing.id } });

    // Act
    advanceTo(emulator, end + HOUR);
    const pastDue = subscriptionOf(emulator, subscription.id).status;
    const good = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: good.id } });
    const retry = mine(advanceTo(emulator, end + HOUR + 2 * DAY), customer.id);

    // Assess
    expect(pastDue).toBe('past_due');
    expect(types(retry)).toContain('invoice.paid');
    expect(subscriptionOf(emulator, subscription.id).status).toBe('active');
  });
});

describe('Dunning settings', () => {
  it('custom schedule (retry 3, 5, 7 days after the previous attempt), then mark unpaid: later invoices are created but not attempted', async () => {
    // Prepare
    const emulator = emulatorOf();
    emulator.configure({ dunning: { retries: { kind: 'schedule', daysAfterPrevious: [3, 5, 7] }, outcome: 'unpaid' } });
    const { customer, subscription } = await subscribed(emulator);
    const end = periodEnd(subscription);
    emulator.failNextPayment(customer.id, 100);

    // Act
    const dunning = mine(advanceTo(emulator, end + HOUR + 15 * DAY), customer.id);
    const unpaid = subscriptionOf(emulator, subscription.id);
    const nextPeriod = mine(advanceTo(emulator, periodEnd(unpaid) + 2 * DAY), customer.id);

    // Assess
    const attempts = dunning.filter((e) => e.type === 'invoice.payment_failed').map((e) => e.created - (end + HOUR));
    expect(attempts).toEqual([0, 3 * DAY, 8 * DAY, 15 * DAY]);
    expect(statuses(dunning).at(-1)).toEqual(['customer.subscription.updated', 'unpaid']);
    expect(unpaid.status).toBe('unpaid');
    expect(statuses(nextPeriod)).toEqual([
      ['customer.subscription.updated', 'unpaid'],
      ['invoice.created', 'draft'],
    ]);
    expect(nextPeriod[1]?.data.object).toMatchObject({ auto_advance: false });
    expect(
      productReads(dunning)
        .filter((r) => r.signal.kind === 'subscription')
        .map((r) => (r.signal as { subscription: { status: string } }).subscription.status),
    ).toEqual(['active', 'past_due', 'unpaid']);
  });

  it('leave past_due: the subscription stays past_due and keeps invoicing (and attempting) every period', async () => {
    // Prepare
    const emulator = emulatorOf();
    emulator.configure({ dunning: { retries: { kind: 'schedule', daysAfterPrevious: [1] }, outcome: 'past_due' } });
    const { customer, subscription } = await subscribed(emulator);
    const end = periodEnd(subscription);
    emulator.failNextPayment(customer.id, 100);

    // Act
    advanceTo(emulator, end + HOUR + 2 * DAY);
    const afterRetries = subscriptionOf(emulator, subscription.id);
    const nextPeriod = mine(advanceTo(emulator, periodEnd(afterRetries) + HOUR), customer.id);

    // Assess
    expect(afterRetries.status).toBe('past_due');
    expect(types(nextPeriod)).toEqual([
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
    ]);
    expect(subscriptionOf(emulator, subscription.id).status).toBe('past_due');
  });

  it('without a payment method nothing is retried; the outcome applies when the retry window ends', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await stripe.customers.create({ email: 'no-card@example.com' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await priceOf(stripe)).id }],
      trial_period_days: 7,
    });
    const trialEnd = subscription.trial_end ?? 0;

    // Act
    const atTrialEnd = mine(advanceTo(emulator, trialEnd + HOUR), customer.id);
    const window = mine(advanceTo(emulator, trialEnd + HOUR + 14 * DAY), customer.id);

    // Assess
    expect(subscription.status).toBe('trialing');
    expect(statuses(atTrialEnd).filter(([t]) => !t.startsWith('customer.subscription.trial'))).toEqual([
      ['customer.subscription.updated', 'active'],
      ['invoice.created', 'draft'],
      ['invoice.finalized', 'open'],
      ['payment_intent.created', 'requires_payment_method'],
      ['invoice.payment_failed', 'open'],
      ['customer.subscription.updated', 'past_due'],
    ]);
    expect(atTrialEnd.find((e) => e.type === 'invoice.payment_failed')?.data.object).toMatchObject({
      next_payment_attempt: null,
    });
    expect(statuses(window)).toEqual([['customer.subscription.deleted', 'canceled']]);
    expect(window[0]?.created).toBe(trialEnd + HOUR + 14 * DAY);
  });
});
