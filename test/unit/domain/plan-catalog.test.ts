import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../../lambdas/domain/default-catalog';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { PlanCatalogInput } from '../../../lambdas/domain/plan-catalog-schema';

const base = (): PlanCatalogInput => structuredClone(DEFAULT_CATALOG);

describe('price -> plan', () => {
  const input = base();
  for (const plan of input.plans) {
    if (plan.id === 'pro') Object.assign(plan, { priceIds: ['price_pro_legacy'], productIds: ['prod_pro'] });
    if (plan.id === 'business') Object.assign(plan, { productIds: ['prod_business'] });
  }
  const catalog = PlanCatalog.parse(input);

  it.each([
    ['lookup key', { lookup_key: 'pro_monthly' }, 'pro'],
    ['lookup key before price metadata', { lookup_key: 'business_yearly', metadata: { plan: 'starter' } }, 'business'],
    ['price metadata.plan', { lookup_key: null, metadata: { plan: 'starter' } }, 'starter'],
    ['unknown key, price metadata.plan', { lookup_key: 'legacy_key', metadata: { plan: 'enterprise' } }, 'enterprise'],
    ['price id (a key moved away)', { id: 'price_pro_legacy', lookup_key: null }, 'pro'],
    ['price id before a lookup key', { id: 'price_pro_legacy', lookup_key: 'starter_monthly' }, 'pro'],
    ['product id (as payloads name it)', { id: 'price_new', lookup_key: null, product: 'prod_pro' }, 'pro'],
    ['product id, expanded', { id: 'price_new', lookup_key: null, product: { id: 'prod_business' } }, 'business'],
    ['lookup key before product', { lookup_key: 'starter_monthly', product: 'prod_pro' }, 'starter'],
    [
      'product metadata is never read',
      { lookup_key: null, metadata: {}, product: { id: 'prod_1', metadata: { plan: 'pro' } } },
      undefined,
    ],
    ['unknown product id', { lookup_key: null, metadata: null, product: 'prod_unexpanded' }, undefined],
    ['unknown lookup key', { lookup_key: 'unknown_price' }, undefined],
    ['metadata naming a plan that is not sold', { lookup_key: null, metadata: { plan: 'free' } }, undefined],
    ['metadata naming no plan', { lookup_key: null, metadata: { plan: 'platinum' } }, undefined],
  ])('%s: %j maps to %s', (_name, price, expected) => {
    expect(catalog.planForPrice(price)?.id).toBe(expected);
  });
});

describe('the PLAN_CATALOG variable', () => {
  it('round-trips through JSON', () => {
    const catalog = PlanCatalog.defaults();
    expect(PlanCatalog.fromJson(JSON.stringify(catalog.toJSON())).plans).toEqual(catalog.plans);
  });
  it('rejects JSON that does not parse', () => {
    expect(() => PlanCatalog.fromJson('{plans:')).toThrow(/not valid JSON/);
  });
});
