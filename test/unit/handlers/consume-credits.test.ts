import { beforeEach, describe, expect, it } from 'vitest';
import { createConsumeCreditsHandler } from '../../../lambdas/handlers/consume-credits';
import { bodyOf, fixedClock, jwtEvent, SUB } from '../../support/api-doubles';
import { memoryCreditBook } from '../../support/credit-doubles';

const consume = (body: unknown, headers: Record<string, string> = {}) => {
  const event = jwtEvent({ method: 'POST', path: '/credits/consume', body: JSON.stringify(body) });
  return { ...event, headers: { ...event.headers, ...headers } };
};

describe('POST /credits/consume', () => {
  let credits: ReturnType<typeof memoryCreditBook>;
  let handle: ReturnType<typeof createConsumeCreditsHandler>;

  beforeEach(() => {
    credits = memoryCreditBook();
    credits.ledger.items.set(SUB, {
      sub: SUB,
      balance: 100,
      version: 1,
      grants: {},
      updatedAt: '2026-12-01T00:00:00.000Z',
    });
    handle = createConsumeCreditsHandler({ credits, clock: fixedClock() });
  });

  it.each([
    ['the Idempotency-Key header', { amount: 30 }, { 'Idempotency-Key': 'order-1' }],
    ['the idempotencyKey field', { amount: 30, idempotencyKey: 'order-1' }, {}],
    ['both, equal', { amount: 30, idempotencyKey: 'order-1' }, { 'idempotency-key': 'order-1' }],
  ])('debits once with the key in %s, and a replay answers the first result', async (_name, body, headers) => {
    // Act
    const first = await handle(consume(body, headers));
    const replay = await handle(consume(body, headers));

    // Assess
    expect([first.statusCode, bodyOf(first)]).toEqual([200, { consumed: 30, balance: 70, replayed: false }]);
    expect([replay.statusCode, bodyOf(replay)]).toEqual([200, { consumed: 30, balance: 70, replayed: true }]);
    expect(credits.ledger.items.get(SUB)?.balance).toBe(70);
    expect(credits.audit.of(SUB).map((e) => [e.eventType, e.ref, e.credits])).toEqual([
      ['credits.consumed', 'order-1', -30],
    ]);
  });

  it('answers 409 insufficient_credits with the balance and debits nothing', async () => {
    // Act
    const result = await handle(consume({ amount: 101, idempotencyKey: 'big' }));

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toEqual({
      error: { code: 'insufficient_credits', message: 'Not enough credits: the balance is 100.' },
      credits: { balance: 100 },
    });
    expect(credits.ledger.writes).toBe(0);
  });

  it('answers 409 insufficient_credits with balance 0 for a user who never bought a pack', async () => {
    // Prepare
    credits.ledger.items.clear();

    // Act
    const result = await handle(consume({ amount: 1, idempotencyKey: 'k' }));

    // Assess
    expect([result.statusCode, bodyOf(result).credits]).toEqual([409, { balance: 0 }]);
    expect(credits.ledger.items.size).toBe(0);
  });

  it('answers 409 idempotency_key_reused for the same key with another amount, debiting nothing more', async () => {
    // Prepare
    await handle(consume({ amount: 30, idempotencyKey: 'k' }));

    // Act
    const result = await handle(consume({ amount: 31, idempotencyKey: 'k' }));

    // Assess
    expect([result.statusCode, bodyOf(result).error?.code]).toEqual([409, 'idempotency_key_reused']);
    expect(credits.ledger.items.get(SUB)?.balance).toBe(70);
  });

  it.each([
    ['no key', { amount: 1 }, {}, 'Idempotency-Key: required'],
    ['header and field differ', { amount: 1, idempotencyKey: 'a' }, { 'idempotency-key': 'b' }, 'differs'],
    ['a key with a space', { amount: 1 }, { 'idempotency-key': 'a b' }, 'Idempotency-Key: must be 1 to 255'],
    ['a key too long', { amount: 1, idempotencyKey: 'x'.repeat(256) }, {}, 'idempotencyKey: must be 1 to 255'],
    ['a zero amount', { amount: 0, idempotencyKey: 'k' }, {}, 'amount: must be a whole number'],
    ['a fractional amount', { amount: 1.5, idempotencyKey: 'k' }, {}, 'amount: must be a whole number'],
    ['an amount as a string', { amount: '5', idempotencyKey: 'k' }, {}, 'amount: must be a whole number'],
    ['an unknown field', { amount: 1, idempotencyKey: 'k', user: 'x' }, {}, 'user: unknown field'],
    ['not an object', [1], {}, 'body: must be a JSON object'],
  ])('answers 400 to %s and writes nothing', async (_name, body, headers, message) => {
    // Act
    const result = await handle(consume(body, headers));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error?.message).toContain(message);
    expect(credits.ledger.writes).toBe(0);
    expect(credits.audit.puts).toBe(0);
  });
});
