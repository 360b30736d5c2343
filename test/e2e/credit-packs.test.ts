import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCreditLedgerStore } from '../../lambdas/adapters/dynamo/credit-ledger-store';
import { advanceTo, call, drained, inOrder, newUser, shuffled, type User, useStack, type World } from './support';

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

const ledgerOf = (world: World, user: User) =>
  new DynamoCreditLedgerStore(world.stack.backend.ddb, world.stack.backend.tables.credits).get(user.sub);

/** The user's credit entries in the AuditLog. */
async function creditAuditOf(world: World, user: User) {
  const result = await world.stack.backend.ddb.send(
    new QueryCommand({
      TableName: world.stack.backend.tables.auditLog,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': user.sub },
    }),
  );
  return (result.Items ?? []).filter((item) => String(item.eventType).startsWith('credits.'));
}

/** POST /checkout/sessions for a pack; returns the session id. */
async function buyPack(world: World, user: User, body: Record<string, unknown>): Promise<string> {
  const response = await call(world.stack, 'POST', '/checkout/sessions', user.idToken, body);
  expect(response.status).toBe(201);
  return String(response.body.id);
}

describe('credit packs: crediting from the webhook', () => {
  it.each([1, 2, 3])(
    'a card purchase credits the buyer exactly once, whatever the delivery order and duplication (seed %i)',
    async (seed) => {
      // Prepare
      const world = worldOf();
      const user = await newUser(world, `pack-card-${seed}`);
      const sessionId = await buyPack(world, user, { pack: 'credits_500', quantity: 2 });
      shuffled(world, seed);

      // Act
      world.emulator.completePaymentCheckout(sessionId);
      await drained(world);
      inOrder(world);

      // Assess
      const ledger = await ledgerOf(world, user);
      expect(ledger).toMatchObject({ balance: 1000, version: 1 });
      expect(Object.keys(ledger?.grants ?? {})).toEqual([sessionId]);
      expect(ledger?.grants[sessionId]).toMatchObject({ credits: 1000, pack: 'credits_500', quantity: 2 });
      const status = await call(world.stack, 'GET', '/subscription/status', user.idToken);
      expect(status.body).toMatchObject({ plan: 'free', credits: { balance: 1000 } });
      expect((await creditAuditOf(world, user)).map((e) => [e.eventType, e.ref, e.credits, e.balanceAfter])).toEqual([
        ['credits.granted', sessionId, 1000, 1000],
      ]);
    },
  );

  it('two purchases add up; a bank debit credits only when it settles (async_payment_succeeded)', async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'pack-bank');
    world.emulator.completePaymentCheckout(await buyPack(world, user, { pack: 'credits_100' }));
    await drained(world);

    // Act
    world.emulator.completePaymentCheckout(await buyPack(world, user, { pack: 'credits_500' }), {
      bankAccount: '000123456789',
    });
    await drained(world);
    const beforeSettling = (await ledgerOf(world, user))?.balance;
    await advanceTo(world, world.emulator.now() + 4 * 86400);

    // Assess
    expect(beforeSettling).toBe(100);
    expect(await ledgerOf(world, user)).toMatchObject({ balance: 600, version: 2 });
    expect((await creditAuditOf(world, user)).map((e) => [e.balanceBefore, e.balanceAfter])).toEqual([
      [0, 100],
      [100, 600],
    ]);
  });

  it('a failed bank debit (async_payment_failed) credits nothing', async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'pack-bank-failed');
    world.emulator.completePaymentCheckout(await buyPack(world, user, { pack: 'credits_500' }), {
      bankAccount: '000111111113',
    });
    await drained(world);

    // Act
    const settled = await advanceTo(world, world.emulator.now() + 4 * 86400);

    // Assess
    expect(settled.map((e) => e.type)).toContain('checkout.session.async_payment_failed');
    expect(await ledgerOf(world, user)).toBeUndefined();
  });

  it("a session naming another user than its customer's is parked, never credited to either", async () => {
    // Prepare: a pack session on A's customer that names B (what a buggy or hostile integration could send).
    const world = worldOf();
    const owner = await newUser(world, 'pack-owner');
    const other = await newUser(world, 'pack-other');
    const price = (await world.stripe.prices.list({ lookup_keys: ['credits_500'] })).data[0];
    const session = await world.stripe.checkout.sessions.create({
      mode: 'payment',
      customer: owner.customerId,
      client_reference_id: other.sub,
      line_items: [{ price: String(price?.id), quantity: 1 }],
      success_url: 'http://localhost:5173/done',
      metadata: { cognito_sub: other.sub, credit_pack: 'credits_500', quantity: '1', credits: '500' },
    });

    // Act
    world.emulator.completePaymentCheckout(session.id);
    await drained(world);

    // Assess
    expect(await ledgerOf(world, owner)).toBeUndefined();
    expect(await ledgerOf(world, other)).toBeUndefined();
    const parked = world.stack.backend.tables.parkedEvents;
    const items = await world.stack.backend.ddb.send(
      new ScanCommand({
        TableName: parked,
        FilterExpression: 'stripeCustomerId = :c',
        ExpressionAttributeValues: { ':c': owner.customerId },
      }),
    );
    expect(items.Items?.map((item) => [item.type, item.reason])).toEqual([['checkout.session.completed', 'conflict']]);
  });
});
