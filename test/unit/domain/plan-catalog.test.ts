import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CATALOG,
  InvalidCatalogError,
  PlanCatalog,
  type PlanCatalogInput,
} from '../../../lambdas/domain/plan-catalog';

const base = (): PlanCatalogInput => structuredClone(DEFAULT_CATALOG);

describe('plan catalog defaults', () => {
  const catalog = PlanCatalog.defaults();

  it('has the documented groups and precedences', () => {
    const table = Object.fromEntries(catalog.plans.map((p) => [p.id, [p.group, p.precedence]]));
    expect(table).toEqual({
      free: ['free', 50],
      trial: ['trial', 45],
      starter: ['starter', 40],
      pro: ['pro', 30],
      business: ['business', 25],
      enterprise: ['enterprise', 3],
    });
  });

  it('gives trial the features of pro and builds business/enterprise on top', () => {
    expect(catalog.plan('trial').features).toEqual(catalog.plan('pro').features);
    expect(catalog.plan('business').features).toEqual(
      expect.arrayContaining([...catalog.plan('pro').features, 'team-management']),
    );
    expect(catalog.plan('enterprise').features).toEqual(
      expect.arrayContaining([...catalog.plan('business').features, 'priority-support']),
    );
    expect(catalog.plan('trial').trialDays).toBe(14);
  });

  it('manages every plan group but never admins', () => {
    expect(catalog.managedGroups()).toEqual(['free', 'trial', 'starter', 'pro', 'business', 'enterprise']);
    expect(catalog.isManagedGroup('admins')).toBe(false);
    expect(catalog.isManagedGroup('beta-testers')).toBe(false);
  });

  it('lists purchasable plans and their lookup keys per interval', () => {
    expect(catalog.paidPlans().map((p) => p.id)).toEqual(['starter', 'pro', 'business', 'enterprise']);
    expect(catalog.lookupKeyFor('pro', 'month')).toBe('pro_monthly');
    expect(catalog.lookupKeyFor('enterprise', 'year')).toBe('enterprise_yearly');
    expect(catalog.lookupKeyFor('free', 'month')).toBeUndefined();
  });

  it('round-trips through JSON (the PLAN_CATALOG variable)', () => {
    expect(PlanCatalog.fromJson(JSON.stringify(catalog.toJSON())).plans).toEqual(catalog.plans);
  });
});

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

describe('invalid catalogs are rejected with a message naming the problem', () => {
  it('rejects a duplicate lookup key', () => {
    const input = base();
    const starter = input.plans.find((p) => p.id === 'starter');
    if (!starter) throw new Error('fixture');
    starter.prices = { month: 'pro_monthly' };
    expect(() => PlanCatalog.parse(input)).toThrow(/duplicate lookup key "pro_monthly" \(plans "starter" and "pro"\)/);
  });

  it('rejects a duplicate precedence', () => {
    const input = base();
    const pro = input.plans.find((p) => p.id === 'pro');
    if (!pro) throw new Error('fixture');
    pro.precedence = 40;
    expect(() => PlanCatalog.parse(input)).toThrow(/duplicate precedence 40/);
  });

  it('rejects precedence 1, which belongs to admins', () => {
    const input = base();
    const free = input.plans.find((p) => p.id === 'free');
    if (!free) throw new Error('fixture');
    free.precedence = 1;
    expect(() => PlanCatalog.parse(input)).toThrow(/duplicate precedence 1 .*admins/);
  });

  it('rejects an unknown plan id', () => {
    const input = base() as { plans: { id: string }[] };
    input.plans.push({ ...structuredClone(input.plans[0]), id: 'platinum' } as never);
    expect(() => PlanCatalog.parse(input)).toThrow(InvalidCatalogError);
    expect(() => PlanCatalog.parse(input)).toThrow(/plans\.6\.id/);
  });

  it('rejects a missing free plan and a group named admins', () => {
    const input = base();
    input.plans = input.plans.filter((p) => p.id !== 'free');
    const pro = input.plans.find((p) => p.id === 'pro');
    if (!pro) throw new Error('fixture');
    pro.group = 'admins';
    expect(() => PlanCatalog.parse(input)).toThrow(/plan "free" is required.*|duplicate group "admins"/);
    expect(() => PlanCatalog.parse(input)).toThrow(/duplicate group "admins"/);
  });

  it('rejects a price or product id owned by two plans', () => {
    const input = base();
    for (const plan of input.plans) {
      if (plan.id === 'pro' || plan.id === 'business') Object.assign(plan, { priceIds: ['price_x'] });
      if (plan.id === 'starter' || plan.id === 'enterprise') Object.assign(plan, { productIds: ['prod_x'] });
    }
    expect(() => PlanCatalog.parse(input)).toThrow(/duplicate price id "price_x" \(plans "pro" and "business"\)/);
    expect(() => PlanCatalog.parse(input)).toThrow(
      /duplicate product id "prod_x" \(plans "starter" and "enterprise"\)/,
    );
  });

  it('rejects price or product ids on a plan that is not sold', () => {
    const input = base();
    const free = input.plans.find((p) => p.id === 'free');
    if (!free) throw new Error('fixture');
    Object.assign(free, { productIds: ['prod_free'] });
    expect(() => PlanCatalog.parse(input)).toThrow(
      /plan "free" is not sold \(no lookup keys\): it cannot own productIds/,
    );
  });

  it('rejects JSON that does not parse', () => {
    expect(() => PlanCatalog.fromJson('{plans:')).toThrow(/not valid JSON/);
  });
});
