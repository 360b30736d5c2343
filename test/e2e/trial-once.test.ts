import { describe, expect, it } from 'vitest';
import { call, checkoutAndPay, drained, inOrder, newUser, shuffled, status, useStack } from './support';

/**
 * One trial per identity (issue 14): a Stripe Checkout trial (https://docs.stripe.com/billing/subscriptions/trials:
 * `customer.subscription.created` trialing, a $0 `invoice.paid`, `checkout.session.completed`) uses the trial for
 * good: a later checkout has none and the no-card trial answers 409 trial_already_used.
 */
const worldOf = useStack();

describe('one trial per identity', () => {
  it('after a checkout trial is cancelled, the next checkout has no trial and the no-card trial is refused (shuffled, duplicated)', async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'trial-once');
    shuffled(world, 4);
    const first = await checkoutAndPay(world, user, 'pro');
    await world.stripe.subscriptions.cancel(first.id);
    await drained(world);
    inOrder(world);

    // Act
    const noCard = await call(world.stack, 'POST', '/subscription/trial', user.idToken, {});
    const second = await checkoutAndPay(world, user, 'starter');
    const after = await status(world, user);

    // Assess
    expect(first).toMatchObject({ status: 'trialing' });
    expect(first.trial_end).not.toBeNull();
    expect(noCard.status).toBe(409);
    expect(noCard.body).toMatchObject({ error: { code: 'trial_already_used' } });
    expect(second).toMatchObject({ status: 'active', trial_end: null });
    expect(after).toMatchObject({ status: 'active', plan: 'starter', entitled: true });
  });

  it('after the no-card trial, a checkout has no Stripe trial', async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'nocard-first');
    const started = await call(world.stack, 'POST', '/subscription/trial', user.idToken, {});

    // Act
    const bought = await checkoutAndPay(world, user, 'pro');

    // Assess
    expect(started.status).toBe(201);
    expect(bought).toMatchObject({ status: 'active', trial_end: null });
    expect(await status(world, user)).toMatchObject({ status: 'active', plan: 'pro' });
  });
});
