import { describe, expect, it } from 'vitest';
import { CreditPacks, DEFAULT_CREDIT_PACKS, InvalidCreditPacksError } from '../../../lambdas/domain/credit-packs';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';

const pack = (over: Record<string, unknown> = {}) => ({
  id: 'credits_10',
  credits: 10,
  lookupKey: 'credits_10',
  ...over,
});

describe('CreditPacks', () => {
  it('parses the defaults and round-trips through JSON (the CREDIT_PACKS variable)', () => {
    // Prepare
    const packs = CreditPacks.defaults();

    // Act
    const again = CreditPacks.fromJson(JSON.stringify(packs.toJSON()));

    // Assess
    expect(again.toJSON()).toEqual(packs.toJSON());
    expect(packs.ids()).toEqual(DEFAULT_CREDIT_PACKS.packs.map((p) => p.id));
    expect(packs.pack('credits_500')).toMatchObject({ credits: 500, maxQuantity: 5 });
  });

  it('defaults maxQuantity to 1 (one unit per checkout)', () => {
    expect(CreditPacks.parse({ packs: [pack()] }).pack('credits_10')?.maxQuantity).toBe(1);
  });

  it('maps a price by its id first, then its lookup key; anything else is no pack', () => {
    // Prepare
    const packs = CreditPacks.parse({
      packs: [pack(), pack({ id: 'credits_20', credits: 20, lookupKey: 'credits_20', priceIds: ['price_old'] })],
    });

    // Act / Assess
    expect(packs.packForPrice({ id: 'price_old', lookup_key: 'credits_10' })?.id).toBe('credits_20');
    expect(packs.packForPrice({ id: 'price_x', lookup_key: 'credits_10' })?.id).toBe('credits_10');
    expect(packs.packForPrice({ id: 'price_x', lookup_key: null })).toBeUndefined();
    expect(packs.packForPrice({ id: 'price_x', lookup_key: 'pro_monthly' })).toBeUndefined();
  });

  it.each([
    ['a duplicate id', { packs: [pack(), pack({ lookupKey: 'other' })] }, /duplicate pack "credits_10"/],
    ['a duplicate lookup key', { packs: [pack(), pack({ id: 'b' })] }, /duplicate lookup credits_10/],
    [
      'a duplicate price id',
      { packs: [pack({ priceIds: ['p1'] }), pack({ id: 'b', lookupKey: 'b', priceIds: ['p1'] })] },
      /duplicate id p1/,
    ],
    ['zero credits', { packs: [pack({ credits: 0 })] }, /packs\.0\.credits/],
    ['fractional credits', { packs: [pack({ credits: 1.5 })] }, /packs\.0\.credits/],
    ['a quantity limit above 99', { packs: [pack({ maxQuantity: 100 })] }, /packs\.0\.maxQuantity/],
    ['an id with spaces', { packs: [pack({ id: 'credits 10' })] }, /packs\.0\.id: pack ids are lowercase/],
    ['an unknown field', { packs: [pack({ expiresInDays: 30 })] }, /packs\.0/],
    ['no packs list', {}, /packs/],
  ])('refuses %s with InvalidCreditPacksError naming it', (_name, input, message) => {
    expect(() => CreditPacks.parse(input)).toThrow(InvalidCreditPacksError);
    expect(() => CreditPacks.parse(input)).toThrow(message);
  });

  it("refuses a pack that takes a plan's lookup key or price id when checked against the plans", () => {
    // Prepare
    const plans = PlanCatalog.parse({
      plans: [
        ...PlanCatalog.defaults()
          .toJSON()
          .plans.filter((p) => p.id !== 'pro'),
        {
          id: 'pro',
          group: 'pro',
          precedence: 30,
          prices: { month: 'pro_monthly' },
          priceIds: ['price_pro'],
          features: [],
        },
      ],
    });

    // Act / Assess
    expect(() => CreditPacks.parse({ packs: [pack({ lookupKey: 'pro_monthly' })] }, plans)).toThrow(
      /lookup key "pro_monthly" is a plan's/,
    );
    expect(() => CreditPacks.parse({ packs: [pack({ priceIds: ['price_pro'] })] }, plans)).toThrow(
      /price id "price_pro" is a plan's/,
    );
    expect(CreditPacks.parse({ packs: [pack()] }, plans).ids()).toEqual(['credits_10']);
  });

  it('refuses JSON that does not parse', () => {
    expect(() => CreditPacks.fromJson('{')).toThrow(/Invalid credit packs: not valid JSON/);
  });
});
