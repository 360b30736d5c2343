import { describe, expect, it } from 'vitest';
import {
  advanceTo,
  call,
  checkoutAndPay,
  inOrder,
  newUser,
  shuffled,
  status,
  type User,
  useStack,
  type World,
} from './support';

/**
 * How a Stripe trial ends (issue 14), as https://docs.stripe.com/billing/subscriptions/trials documents it: with a
 * payment method the subscription becomes `active` and its first invoice is charged; without one
 * `trial_settings.end_behavior.missing_payment_method` decides: `cancel` (`customer.subscription.deleted`) or
 * `pause` (status `paused`, `customer.subscription.paused`). Either way the trial counts as used.
 */
const worldOf = useStack();
const HOUR = 3600;
const iso = (epoch: number) => new Date(epoch * 1000).toISOString();

/** A 14-day pro trial made through the API with no payment method on file (e.g. a sales-led trial). */
async function cardlessTrial(world: World, user: User, missingPaymentMethod: 'cancel' | 'pause') {
  const price = (await world.stripe.prices.list({ lookup_keys: ['pro_monthly'] })).data[0];
  return world.stripe.subscriptions.create({
    customer: user.customerId,
    items: [{ price: String(price?.id) }],
    trial_period_days: 14,
    trial_settings: { end_behavior: { missing_payment_method: missingPaymentMethod } },
    metadata: { cognito_sub: user.sub },
  });
}

describe('a Stripe trial ends', () => {
  it('with a card: trialing -> active on the plan bought, the first invoice charged (shuffled, duplicated)', async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'trial-converts');
    shuffled(world, 13);
    const trialing = await checkoutAndPay(world, user, 'pro');
    const during = await status(world, user);

    // Act
    await advanceTo(world, (trialing.trial_end ?? 0) + HOUR + 60);
    inOrder(world);
    const after = await status(world, user);
    const invoices = await world.stripe.invoices.list({ customer: user.customerId });

    // Assess
    expect(during).toMatchObject({
      status: 'trialing',
      plan: 'pro',
      entitled: true,
      trialEndsAt: iso(trialing.trial_end ?? 0),
    });
    expect(after).toMatchObject({ status: 'active', plan: 'pro', entitled: true, trialEndsAt: null });
    expect(invoices.data.map((invoice) => invoice.amount_paid).sort((a, b) => a - b)).toEqual([0, 2900]);
  });

  it.each([
    ['cancel', 'canceled'],
    ['pause', 'paused'],
  ] as const)(
    'without a card (missing_payment_method %s): access ends, status %s, the trial is used (shuffled, duplicated)',
    async (behaviour, shown) => {
      // Prepare
      const world = worldOf();
      const user = await newUser(world, `trial-ends-${behaviour}`);
      shuffled(world, behaviour === 'cancel' ? 17 : 19);
      const trialing = await cardlessTrial(world, user, behaviour);
      await advanceTo(world, world.emulator.now() + 60);
      const during = await status(world, user);

      // Act
      const events = await advanceTo(world, (trialing.trial_end ?? 0) + HOUR);
      inOrder(world);
      const after = await status(world, user);
      const noCard = await world.stripe.subscriptions.retrieve(trialing.id);
      const secondTrial = await call(world.stack, 'POST', '/subscription/trial', user.idToken, {});

      // Assess
      expect(during).toMatchObject({ status: 'trialing', plan: 'pro', entitled: true });
      expect(noCard.status).toBe(shown);
      expect(events.map((event) => event.type)).toContain(
        behaviour === 'cancel' ? 'customer.subscription.deleted' : 'customer.subscription.paused',
      );
      expect(after).toMatchObject({ status: shown, plan: 'free', entitled: false, groups: ['free'] });
      expect(secondTrial.status).toBe(409);
      expect(secondTrial.body).toMatchObject({ error: { code: 'trial_already_used' } });
    },
  );
});
