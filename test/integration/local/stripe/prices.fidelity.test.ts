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
 * Prices, products, cancel dates and schedules, as Stripe documents them:
 * https://docs.stripe.com/products-prices/manage-prices (lookup keys are unique; `transfer_lookup_key` moves one and
 * leaves the old price, and its subscriptions, without a key; archived prices stay on existing subscriptions but
 * cannot be used for new ones), https://docs.stripe.com/api/events (payloads name the product by id, never
 * expanded), https://docs.stripe.com/billing/subscriptions/cancel (`cancel_at` may be any future date),
 * https://docs.stripe.com/billing/subscriptions/subscription-schedules (a plan change at the next period).
 */
const emulatorOf = useEmulator();
const HOUR = 3600;

async function subscribedTo(emulator: StripeEmulator, price: string) {
  const stripe = emulator.client();
  const customer = await customerWithCard(stripe);
  const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price }] });
  return { stripe, customer, subscription };
}

describe('Catalog as a real account has it', () => {
  it('seeded prices carry a lookup key and no metadata; the plan is on the product, which payloads never expand', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const price = await priceOf(stripe, 'business_monthly');

    // Act
    const { customer } = await subscribedTo(emulator, price.id);
    const created = mine(emulator.events(), customer.id).find((e) => e.type === 'customer.subscription.created');
    const product = await stripe.products.retrieve(String(price.product));

    // Assess
    expect(price).toMatchObject({ lookup_key: 'business_monthly', metadata: {}, product: 'prod_local_business' });
    expect(product.metadata).toEqual({ plan: 'business' });
    const item = objectOf<Stripe.Subscription>(created).items.data[0];
    expect(item?.price).toMatchObject({ product: 'prod_local_business', metadata: {}, lookup_key: 'business_monthly' });
  });

  it('a price without lookup key (and without metadata) reaches the product as just a price id', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const bare = await stripe.prices.create({
      product: 'prod_local_pro',
      unit_amount: 1900,
      currency: 'usd',
      recurring: { interval: 'month' },
    });

    // Act
    const { customer } = await subscribedTo(emulator, bare.id);

    // Assess
    expect(bare).toMatchObject({ lookup_key: null, metadata: {}, active: true });
    const read = productReads(mine(emulator.events(), customer.id)).find(
      (r) => r.type === 'customer.subscription.created',
    );
    expect(read?.signal).toMatchObject({
      subscription: {
        priceLabel: bare.id,
        prices: [{ id: bare.id, lookup_key: null, metadata: {}, product: 'prod_local_pro' }],
      },
    });
  });
});

describe('Price changes', () => {
  it('transfer_lookup_key moves the key: new checkouts find the new price, existing subscriptions keep the old one without a key', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const old = await priceOf(stripe, 'starter_monthly');
    const { customer, subscription } = await subscribedTo(emulator, old.id);
    const duplicate = await stripe.prices
      .create({
        product: 'prod_local_starter',
        unit_amount: 1200,
        currency: 'usd',
        recurring: { interval: 'month' },
        lookup_key: 'starter_monthly',
      })
      .catch((e: unknown) => e);

    // Act
    const replacement = await stripe.prices.create({
      product: 'prod_local_starter',
      unit_amount: 1200,
      currency: 'usd',
      recurring: { interval: 'month' },
      lookup_key: 'starter_monthly',
      transfer_lookup_key: true,
    });
    const renewal = mine(advanceTo(emulator, periodEnd(subscription)), customer.id);

    // Assess
    expect(duplicate).toMatchObject({
      statusCode: 400,
      param: 'lookup_key',
      message: `A price (\`${old.id}\`) already uses that lookup key.`,
    });
    expect((await stripe.prices.list({ lookup_keys: ['starter_monthly'] })).data.map((p) => p.id)).toEqual([
      replacement.id,
    ]);
    expect((await stripe.prices.retrieve(old.id)).lookup_key).toBeNull();
    const current = await stripe.subscriptions.retrieve(subscription.id);
    expect(current.items.data[0]?.price).toMatchObject({ id: old.id, lookup_key: null });
    const read = productReads(renewal).find((r) => r.type === 'customer.subscription.updated');
    expect(read?.signal).toMatchObject({
      subscription: {
        priceLabel: old.id,
        prices: [{ id: old.id, lookup_key: null, metadata: {}, product: 'prod_local_starter' }],
      },
    });
  });

  it('an archived price keeps renewing existing subscriptions but is refused for new ones (checkout and subscriptions)', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const price = await stripe.prices.create({
      product: 'prod_local_pro',
      unit_amount: 2500,
      currency: 'usd',
      recurring: { interval: 'month' },
    });
    const { customer, subscription } = await subscribedTo(emulator, price.id);

    // Act
    await stripe.prices.update(price.id, { active: false });
    const refused = await stripe.subscriptions
      .create({ customer: customer.id, items: [{ price: price.id }] })
      .catch((e: unknown) => e);
    const refusedCheckout = await stripe.checkout.sessions
      .create({
        mode: 'subscription',
        customer: customer.id,
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'https://example.com/ok',
      })
      .catch((e: unknown) => e);
    const renewal = mine(advanceTo(emulator, periodEnd(subscription) + HOUR), customer.id);

    // Assess
    expect(refused).toMatchObject({ statusCode: 400, param: 'items[0][price]' });
    expect(refusedCheckout).toMatchObject({ statusCode: 400, param: 'line_items[0][price]' });
    expect(types(renewal)).toContain('invoice.paid');
    expect(objectOf<Stripe.Subscription>(renewal[0]).items.data[0]?.price).toMatchObject({
      id: price.id,
      active: false,
    });
  });

  it('a subscription schedule changes the plan at the next period, then releases the subscription', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const pro = await priceOf(stripe, 'pro_monthly');
    const business = await priceOf(stripe, 'business_monthly');
    const { customer, subscription } = await subscribedTo(emulator, pro.id);
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    const current = schedule.phases[0];

    // Act
    await stripe.subscriptionSchedules.update(schedule.id, {
      end_behavior: 'release',
      phases: [
        { items: [{ price: pro.id, quantity: 1 }], start_date: current?.start_date, end_date: current?.end_date },
        { items: [{ price: business.id, quantity: 1 }], duration: { interval: 'month', interval_count: 1 } },
      ],
    });
    const change = mine(advanceTo(emulator, periodEnd(subscription)), customer.id);
    const changed = await stripe.subscriptions.retrieve(subscription.id);
    const release = mine(advanceTo(emulator, periodEnd(changed)), customer.id);

    // Assess
    expect(statuses(change)).toEqual([
      ['customer.subscription.updated', 'active'],
      ['invoice.created', 'draft'],
      ['subscription_schedule.updated', 'active'],
    ]);
    expect(change[0]?.data.previous_attributes).toHaveProperty('items.data.0.price.id', pro.id);
    expect(productReads(change)[0]?.signal).toMatchObject({ subscription: { priceLabel: 'business_monthly' } });
    expect(change[1]?.data.object).toMatchObject({ amount_due: business.unit_amount });
    const releasedAt = release.findIndex((e) => e.type === 'subscription_schedule.released');
    expect(releasedAt).toBeGreaterThan(-1);
    expect(release[releasedAt + 1]).toMatchObject({
      type: 'customer.subscription.updated',
      data: { object: { schedule: null } },
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]?.price.id).toBe(business.id);
  });
});

describe('cancel_at beyond the current period', () => {
  it('renews normally until the date, then ends on that date (not at a period end)', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const { customer, subscription } = await subscribedTo(emulator, (await priceOf(stripe)).id);
    const cancelAt = periodEnd(subscription) + 10 * 86400;

    // Act
    const updated = await stripe.subscriptions.update(subscription.id, { cancel_at: cancelAt });
    const events = mine(advanceTo(emulator, cancelAt), customer.id);

    // Assess
    expect(updated).toMatchObject({ cancel_at: cancelAt, cancel_at_period_end: false, status: 'active' });
    expect(types(events).filter((t) => t.startsWith('customer.subscription'))).toEqual([
      'customer.subscription.updated',
      'customer.subscription.deleted',
    ]);
    expect(events.at(-1)).toMatchObject({
      created: cancelAt,
      data: { object: { status: 'canceled', ended_at: cancelAt } },
    });
    expect(productReads(events)[0]?.signal).toMatchObject({
      subscription: { status: 'active', cancelAtPeriodEnd: false, cancelAt },
    });
  });
});
