import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { call, drained, newUser, type User, useStack, type World } from './support';

/**
 * POST /credits/consume end to end (issue 21): the local stack's real handler behind the local gateway, the
 * credits bought through the Stripe emulator's payment-mode Checkout and credited by the webhook.
 */
const worldOf = useStack();

/** A user holding `pack`'s credits, bought and credited through Checkout and the webhook. */
async function userWithCredits(world: World, tag: string, pack: string): Promise<User> {
  const user = await newUser(world, tag);
  const session = await call(world.stack, 'POST', '/checkout/sessions', user.idToken, { pack });
  expect(session.status).toBe(201);
  world.emulator.completePaymentCheckout(String(session.body.id));
  await drained(world);
  return user;
}

/** POST /credits/consume with the key in the Idempotency-Key header. */
async function consume(world: World, user: User, amount: number, key: string) {
  const response = await fetch(`${world.stack.info.apiUrl}/credits/consume`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.idToken}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ amount }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function balanceOf(world: World, user: User) {
  const status = await call(world.stack, 'GET', '/subscription/status', user.idToken);
  return (status.body.credits as { balance: number }).balance;
}

async function consumedEntries(world: World, user: User) {
  const result = await world.stack.backend.ddb.send(
    new QueryCommand({
      TableName: world.stack.backend.tables.auditLog,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': user.sub },
    }),
  );
  return (result.Items ?? []).filter((item) => item.eventType === 'credits.consumed');
}

describe('credits: consume', () => {
  it('debits once per key: a replay answers the first result; too much answers 409 with the balance', async () => {
    // Prepare
    const world = worldOf();
    const user = await userWithCredits(world, 'consume-once', 'credits_100');

    // Act
    const first = await consume(world, user, 30, 'order-1');
    const replay = await consume(world, user, 30, 'order-1');
    const tooMuch = await consume(world, user, 71, 'order-2');

    // Assess
    expect(first).toEqual({ status: 200, body: { consumed: 30, balance: 70, replayed: false } });
    expect(replay).toEqual({ status: 200, body: { consumed: 30, balance: 70, replayed: true } });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ error: { code: 'insufficient_credits' }, credits: { balance: 70 } });
    expect(await balanceOf(world, user)).toBe(70);
    expect((await consumedEntries(world, user)).map((e) => [e.ref, e.credits, e.balanceAfter])).toEqual([
      ['order-1', -30, 70],
    ]);
  });

  it('concurrent requests never take the balance below zero, and each success is debited and audited once', async () => {
    // Prepare: 100 credits; 12 concurrent requests of 10 (two of them sent twice with the same key).
    const world = worldOf();
    const user = await userWithCredits(world, 'consume-race', 'credits_100');
    const keys = Array.from({ length: 12 }, (_, i) => `job-${i}`);

    // Act
    const sent = [...keys, 'job-0', 'job-1'];
    const answers = await Promise.all(sent.map((key) => consume(world, user, 10, key)));
    // A request that kept losing the write race answers 503 (nothing debited): the client retries with its key.
    const retried = await Promise.all(
      sent.map(async (key, i) => (answers[i]?.status === 503 ? consume(world, user, 10, key) : answers[i])),
    );

    // Assess
    expect(answers.every((a) => [200, 409, 503].includes(a.status))).toBe(true);
    expect(retried.every((a) => a?.status === 200 || a?.status === 409)).toBe(true);
    const debited = new Set(sent.filter((_, i) => retried[i]?.status === 200));
    expect(debited.size).toBe(10);
    expect(retried.filter((a) => a?.status === 200).map((a) => a?.body.balance)).not.toContain(-10);
    expect(retried.filter((a) => a?.status === 409).map((a) => a?.body.credits)).not.toContainEqual({ balance: -10 });
    expect(await balanceOf(world, user)).toBe(0);
    expect((await consumedEntries(world, user)).map((e) => e.ref).sort()).toEqual([...debited].sort());
  });

  it('answers 409 with balance 0 to a user who never bought a pack, and 400 without a key', async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'consume-none');

    // Act
    const none = await consume(world, user, 1, 'k');
    const noKey = await call(world.stack, 'POST', '/credits/consume', user.idToken, { amount: 1 });

    // Assess
    expect(none).toMatchObject({ status: 409, body: { credits: { balance: 0 } } });
    expect(noKey.status).toBe(400);
    expect(await consumedEntries(world, user)).toEqual([]);
  });
});

describe('credits: account deletion', () => {
  it("DELETE /account deletes the user's Credits record", async () => {
    // Prepare
    const world = worldOf();
    const user = await userWithCredits(world, 'consume-deleted', 'credits_100');
    const ledger = () =>
      world.stack.backend.ddb.send(
        new GetCommand({ TableName: world.stack.backend.tables.credits, Key: { cognito_sub: user.sub } }),
      );
    const before = (await ledger()).Item?.balance;

    // Act
    const deleted = await call(world.stack, 'DELETE', '/account', user.idToken);
    await drained(world);

    // Assess
    expect(before).toBe(100);
    expect(deleted.status).toBe(200);
    expect((await ledger()).Item).toBeUndefined();
  });
});
