import { describe, expect, it } from 'vitest';
import { creditSale } from '../../../../lambdas/use-cases/credits/credit-sale';
import { fixedClock } from '../../../support/api-doubles';
import { memoryCreditBook } from '../../../support/credit-doubles';

const sale = { sessionId: 'cs_1', pack: 'credits_500', quantity: 1, credits: 500, paymentIntentId: 'pi_1' };

describe('creditSale: the audit trail', () => {
  it('writes one AuditLog entry per grant, whatever the redeliveries', async () => {
    // Prepare
    const deps = { credits: memoryCreditBook(), clock: fixedClock() };

    // Act
    await creditSale(deps, 'sub-1', sale, 'evt_1');
    await creditSale(deps, 'sub-1', sale, 'evt_2');
    await creditSale(deps, 'sub-1', { ...sale, sessionId: 'cs_2', credits: 100 }, 'evt_3');

    // Assess
    const entries = deps.credits.audit.of('sub-1');
    expect(entries.map((e) => [e.eventType, e.ref, e.credits, e.balanceBefore, e.balanceAfter, e.eventId])).toEqual([
      ['credits.granted', 'cs_1', 500, 0, 500, 'evt_1'],
      ['credits.granted', 'cs_2', 100, 500, 600, 'evt_3'],
    ]);
    expect(deps.credits.ledger.items.get('sub-1')?.balance).toBe(600);
  });

  it('a failed audit put fails the delivery; its redelivery puts the entry without crediting again', async () => {
    // Prepare
    const deps = { credits: memoryCreditBook(), clock: fixedClock() };
    deps.credits.audit.failNext = 1;

    // Act
    const first = await creditSale(deps, 'sub-1', sale, 'evt_1').catch((error: Error) => error);
    const retry = await creditSale(deps, 'sub-1', sale, 'evt_1');

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(retry).toEqual({ kind: 'already-granted', sub: 'sub-1', balance: 500 });
    expect(deps.credits.audit.of('sub-1').map((e) => e.ref)).toEqual(['cs_1']);
    expect(deps.credits.ledger.writes).toBe(1);
  });

  it('an entry left pending by a crash is put by the next change of the ledger', async () => {
    // Prepare: the first grant's put failed and its event is never redelivered.
    const deps = { credits: memoryCreditBook(), clock: fixedClock() };
    deps.credits.audit.failNext = 1;
    await creditSale(deps, 'sub-1', sale, 'evt_1').catch(() => undefined);

    // Act
    await creditSale(deps, 'sub-1', { ...sale, sessionId: 'cs_2' }, 'evt_2');

    // Assess
    expect(deps.credits.audit.of('sub-1').map((e) => e.ref)).toEqual(['cs_1', 'cs_2']);
  });
});
