import { describe, expect, it } from 'vitest';
import { call, drained, newUser, useStack } from './support';

/**
 * Credit packs end to end (issue 21): the local stack with the real handlers behind the local gateway and the
 * Stripe emulator selling the packs in payment-mode Checkout, delivering its documented events signed.
 */
const worldOf = useStack();

describe('credit packs: checkout', () => {
  it("opens a payment-mode Checkout on the user's one customer, naming the user and the credits sold", async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'pack-checkout');

    // Act
    const response = await call(world.stack, 'POST', '/checkout/sessions', user.idToken, {
      pack: 'credits_500',
      quantity: 2,
    });

    // Assess
    expect(response.status).toBe(201);
    const session = await world.stripe.checkout.sessions.retrieve(String(response.body.id));
    expect(session).toMatchObject({
      mode: 'payment',
      status: 'open',
      customer: user.customerId,
      client_reference_id: user.sub,
      amount_total: 5000,
      metadata: { cognito_sub: user.sub, credit_pack: 'credits_500', quantity: '2', credits: '1000' },
    });
    await drained(world);
  });

  it.each([
    ['an unknown pack', { pack: 'credits_9000' }, /pack: must be one of: credits_100, credits_500/],
    ['a quantity above the limit', { pack: 'credits_500', quantity: 6 }, /quantity: pack "credits_500" is sold 1 to 5/],
  ])('answers 400 to %s and opens nothing in Stripe', async (_name, body, message) => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'pack-refused');

    // Act
    const response = await call(world.stack, 'POST', '/checkout/sessions', user.idToken, body);

    // Assess
    expect(response.status).toBe(400);
    expect((response.body.error as { message: string }).message).toMatch(message);
    expect((await world.stripe.checkout.sessions.list({ customer: user.customerId })).data).toEqual([]);
  });
});
