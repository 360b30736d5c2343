import { describe, expect, it } from 'vitest';
import { emptyLedger, grantSale, packSaleOf } from '../../../lambdas/domain/credit-ledger';

const now = new Date('2026-12-03T12:00:00Z');
const sale = { sessionId: 'cs_1', pack: 'credits_500', quantity: 2, credits: 1000, paymentIntentId: 'pi_1' };

describe('grantSale', () => {
  it('credits a new session, bumps the version and records the grant', () => {
    // Act
    const step = grantSale(emptyLedger('sub-1', now), sale, 'evt_1', now);

    // Assess
    expect(step.kind).toBe('granted');
    if (step.kind !== 'granted') return;
    expect(step.ledger).toMatchObject({ sub: 'sub-1', balance: 1000, version: 1 });
    expect(step.ledger.grants.cs_1).toMatchObject({ credits: 1000, paymentIntentId: 'pi_1', eventId: 'evt_1' });
  });

  it('never credits the same session twice, whichever event brings it again', () => {
    // Prepare
    const first = grantSale(emptyLedger('sub-1', now), sale, 'evt_1', now);
    if (first.kind !== 'granted') throw new Error('expected a grant');

    // Act / Assess
    expect(grantSale(first.ledger, sale, 'evt_2', now)).toEqual({ kind: 'already-granted' });
    const other = grantSale(first.ledger, { ...sale, sessionId: 'cs_2', credits: 100 }, 'evt_3', now);
    expect(other.kind === 'granted' && other.ledger.balance).toBe(1100);
  });
});

describe('packSaleOf', () => {
  it.each([
    [
      { credit_pack: 'credits_500', quantity: '2', credits: '1000' },
      { pack: 'credits_500', quantity: 2, credits: 1000 },
    ],
    [
      { credit_pack: 'credits_100', credits: '100' },
      { pack: 'credits_100', quantity: 1, credits: 100 },
    ],
    [{ credits: '100' }, null],
    [{ credit_pack: 'x', credits: '0' }, null],
    [{ credit_pack: 'x', credits: '1.5' }, null],
    [{ credit_pack: 'x', credits: 'lots' }, null],
    [{ credit_pack: 'x', credits: '10', quantity: '0' }, null],
    [null, null],
  ])('reads %j as %j', (metadata, expected) => {
    const read = packSaleOf('cs_1', metadata, 'pi_1');
    expect(read).toEqual(expected === null ? null : { sessionId: 'cs_1', paymentIntentId: 'pi_1', ...expected });
  });
});
