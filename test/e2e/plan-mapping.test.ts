import { describe, expect, it } from 'vitest';
import { useLogCapture } from '../support/logs';
import {
  advanceTo,
  cardOnFile,
  checkoutAndPay,
  inOrder,
  newUser,
  periodEndOf,
  shuffled,
  status,
  useStack,
} from './support';

/**
 * Plan mapping that survives price changes (issue 14), on Stripe's documented price change
 * (https://docs.stripe.com/products-prices/manage-prices: `transfer_lookup_key` moves a lookup key to a new price
 * and leaves every subscription on the old price, which now has no key).
 */
const worldOf = useStack();
const HOUR = 3600;
const UNMAPPED = /subscription price is not in the plan catalog/;

async function newPrice(lookupKey: string, product: string, amount: number) {
  const { stripe } = worldOf();
  return stripe.prices.create({
    product,
    unit_amount: amount,
    currency: 'usd',
    recurring: { interval: 'month' },
    lookup_key: lookupKey,
    transfer_lookup_key: true,
  });
}

describe('a price change through transfer_lookup_key', () => {
  const logs = useLogCapture();

  it('keeps existing subscribers on their plan through the renewal on the now keyless price (shuffled, duplicated delivery)', async () => {
    // Prepare: a subscriber made outside our checkout (no checkout claim on it): only what its events taught maps it
    const world = worldOf();
    const user = await newUser(world, 'transfer');
    await cardOnFile(world, user);
    const oldPrice = (await world.stripe.prices.list({ lookup_keys: ['starter_monthly'] })).data[0];
    shuffled(world, 3);
    const subscription = await world.stripe.subscriptions.create({
      customer: user.customerId,
      items: [{ price: String(oldPrice?.id) }],
      metadata: { cognito_sub: user.sub },
    });
    await advanceTo(world, world.emulator.now() + 1);
    const before = await status(world, user);

    // Act: the key moves to a new price; a month later the subscription renews on the old, keyless price
    const replacement = await newPrice('starter_monthly', 'prod_local_starter', 1200);
    await advanceTo(world, periodEndOf(subscription) + HOUR + 60);
    inOrder(world);
    const after = await status(world, user);
    const renewed = await world.stripe.subscriptions.retrieve(subscription.id);

    // Assess
    expect(before).toMatchObject({ plan: 'starter', status: 'active', entitled: true });
    expect(renewed.items.data[0]?.price).toMatchObject({ id: oldPrice?.id, lookup_key: null });
    expect(replacement.lookup_key).toBe('starter_monthly');
    expect(after).toMatchObject({ plan: 'starter', status: 'active', entitled: true, groups: ['starter'] });
    expect(logs.errors().filter((m) => UNMAPPED.test(m))).toEqual([]);
  });

  it('maps a new subscriber whose checkout still used the old price (the price id cached for 10 minutes)', async () => {
    // Prepare: a first checkout caches pro_monthly -> its price id in the checkout function
    const world = worldOf();
    const first = await newUser(world, 'cache-warm');
    const warm = await checkoutAndPay(world, first, 'pro');
    const oldPriceId = warm.items.data[0]?.price.id;
    await newPrice('pro_monthly', 'prod_local_pro', 3500);

    // Act: a new user buys pro within the cache's 10 minutes
    const second = await newUser(world, 'cache-hit');
    shuffled(world, 5);
    const bought = await checkoutAndPay(world, second, 'pro');
    inOrder(world);
    const after = await status(world, second);

    // Assess: the checkout sold the old, keyless price, and the subscriber has pro
    expect(bought.items.data[0]?.price).toMatchObject({ id: oldPriceId, lookup_key: null });
    expect(bought.metadata).toMatchObject({ plan: 'pro', price_id: oldPriceId });
    expect(after).toMatchObject({ plan: 'pro', entitled: true, groups: ['pro'] });
    expect(logs.errors().filter((m) => UNMAPPED.test(m))).toEqual([]);
  });
});
