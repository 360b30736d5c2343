import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../../lambdas/domain/default-catalog';
import { InvalidCatalogError, PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { PlanCatalogInput } from '../../../lambdas/domain/plan-catalog-schema';

const base = (): PlanCatalogInput => structuredClone(DEFAULT_CATALOG);

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
});
