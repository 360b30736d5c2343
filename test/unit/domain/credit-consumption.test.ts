import { describe, expect, it } from 'vitest';
import { consumeStep, rememberedConsumptions } from '../../../lambdas/domain/credit-consumption';
import { type CreditLedger, emptyLedger } from '../../../lambdas/domain/credit-ledger';

const now = new Date('2026-12-03T12:00:00Z');
const ledger = (balance: number, extra: Partial<CreditLedger> = {}): CreditLedger => ({
  ...emptyLedger('sub-1', now),
  balance,
  version: 3,
  ...extra,
});
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000).toISOString();

describe('consumeStep', () => {
  it.each([
    ['enough credits', 100, 40, { kind: 'consumed' }],
    ['exactly the balance (down to zero)', 40, 40, { kind: 'consumed' }],
    ['one more than the balance', 40, 41, { kind: 'insufficient', balance: 40 }],
    ['a zero balance', 0, 1, { kind: 'insufficient', balance: 0 }],
    ['a negative balance (a refunded pack already spent)', -30, 1, { kind: 'insufficient', balance: -30 }],
  ])('%s', (_name, balance, amount, expected) => {
    // Act
    const step = consumeStep(ledger(balance), { idempotencyKey: 'k1', amount }, now);

    // Assess
    expect(step).toMatchObject(expected);
  });

  it('debits, bumps the version, remembers the key and carries the audit entry', () => {
    // Act
    const step = consumeStep(ledger(100), { idempotencyKey: 'k1', amount: 40 }, now);

    // Assess
    if (step.kind !== 'consumed') throw new Error('expected a consumption');
    expect(step.ledger).toMatchObject({ balance: 60, version: 4 });
    expect(step.ledger.consumed?.k1).toEqual({ amount: 40, balanceAfter: 60, at: now.toISOString() });
    expect(step.ledger.pendingAudit).toEqual([
      expect.objectContaining({
        eventType: 'credits.consumed',
        ref: 'k1',
        credits: -40,
        balanceBefore: 100,
        balanceAfter: 60,
        ledgerVersion: 4,
      }),
    ]);
  });

  it('a replay answers the first result without debiting; another amount under the same key is refused', () => {
    // Prepare
    const first = { amount: 40, balanceAfter: 60, at: hoursAgo(1) };
    const stored = ledger(60, { consumed: { k1: first } });

    // Act / Assess
    expect(consumeStep(stored, { idempotencyKey: 'k1', amount: 40 }, now)).toEqual({
      kind: 'replayed',
      consumption: first,
    });
    expect(consumeStep(stored, { idempotencyKey: 'k1', amount: 5 }, now)).toEqual({
      kind: 'key-reused',
      consumption: first,
    });
  });

  it('forgets a key after 24 hours: it consumes again', () => {
    // Prepare
    const stored = ledger(60, { consumed: { k1: { amount: 40, balanceAfter: 60, at: hoursAgo(25) } } });

    // Act
    const step = consumeStep(stored, { idempotencyKey: 'k1', amount: 40 }, now);

    // Assess
    expect(step.kind === 'consumed' && step.ledger.balance).toBe(20);
    expect(step.kind === 'consumed' && Object.keys(step.ledger.consumed ?? {})).toEqual(['k1']);
  });
});

describe('rememberedConsumptions', () => {
  it('keeps the newest 1000 keys of the last 24 hours', () => {
    // Prepare
    const consumed = Object.fromEntries(
      Array.from({ length: 1005 }, (_, i) => [
        `k${i}`,
        { amount: 1, balanceAfter: 0, at: new Date(now.getTime() - (1005 - i) * 1000).toISOString() },
      ]),
    );

    // Act
    const kept = rememberedConsumptions({ ...consumed, old: { amount: 1, balanceAfter: 0, at: hoursAgo(30) } }, now);

    // Assess
    expect(Object.keys(kept)).toHaveLength(1000);
    expect(kept.k0).toBeUndefined();
    expect(kept.old).toBeUndefined();
    expect(kept.k1004).toBeDefined();
  });
});
