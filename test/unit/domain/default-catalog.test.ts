import { describe, expect, it } from 'vitest';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';

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
});
