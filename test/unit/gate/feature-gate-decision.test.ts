import { describe, expect, it } from 'vitest';
import { type EntitlementRecord, initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import {
  assertKnownRequirement,
  decideAccess,
  plansGranting,
  UnknownRequirementError,
} from '../../../lambdas/domain/feature-gate';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { PlanId } from '../../../lambdas/domain/plan-catalog-schema';

const catalog = PlanCatalog.defaults();
const now = new Date('2030-01-15T12:00:00Z');
const base = initialEntitlementRecord(catalog, { sub: 'user-1' }, new Date('2030-01-01T00:00:00Z'));

function onPlan(plan: PlanId, extra: Partial<EntitlementRecord> = {}): EntitlementRecord {
  const definition = catalog.plan(plan);
  return {
    ...structuredClone(base),
    status: plan === 'trial' ? 'trialing' : 'active',
    plan,
    entitled: plan !== 'free',
    features: [...definition.features],
    groups: [definition.group],
    ...extra,
  };
}

describe('decideAccess: features', () => {
  it('grants a feature of the current plan and names plan, status and features', () => {
    // Act
    const decision = decideAccess(onPlan('pro'), { feature: 'scheduled-backups' }, catalog, now);

    // Assess
    expect(decision).toEqual({
      allowed: true,
      plan: 'pro',
      status: 'active',
      features: ['scheduled-backups', 'multiple-sources'],
    });
  });

  it('denies a feature outside the plan, naming the cheapest plan that sells it', () => {
    // Act
    const decision = decideAccess(onPlan('starter'), { feature: 'scheduled-backups' }, catalog, now);

    // Assess
    expect(decision).toEqual({
      allowed: false,
      code: 'feature_not_in_plan',
      message: 'The feature "scheduled-backups" is not in your plan (starter). Upgrade to pro or higher to use it.',
      requiredFeature: 'scheduled-backups',
      requiredPlan: 'pro',
      currentPlan: 'starter',
      status: 'active',
    });
  });

  it('treats a user with no record as free (status none)', () => {
    // Act
    const allowed = decideAccess(undefined, { feature: 'manual-backups' }, catalog, now);
    const denied = decideAccess(undefined, { feature: 'team-management' }, catalog, now);

    // Assess
    expect(allowed).toMatchObject({ allowed: true, plan: 'free', status: 'none' });
    expect(denied).toMatchObject({ allowed: false, currentPlan: 'free', requiredPlan: 'business', status: 'none' });
  });

  it('applies time at read: an ended trial no longer grants pro features', () => {
    // Prepare
    const running = onPlan('trial', { trialEndsAt: '2030-01-20T00:00:00Z' });
    const ended = onPlan('trial', { trialEndsAt: '2030-01-10T00:00:00Z' });

    // Act
    const during = decideAccess(running, { feature: 'scheduled-backups' }, catalog, now);
    const after = decideAccess(ended, { feature: 'scheduled-backups' }, catalog, now);

    // Assess
    expect(during).toMatchObject({ allowed: true, plan: 'trial', status: 'trialing' });
    expect(after).toMatchObject({ allowed: false, currentPlan: 'free', status: 'expired' });
  });

  it('keeps access during a past_due grace window and drops it when the window ends', () => {
    // Prepare
    const inGrace = onPlan('pro', { status: 'past_due', graceEndsAt: '2030-01-16T00:00:00Z' });
    const graceOver = onPlan('pro', { status: 'past_due', graceEndsAt: '2030-01-14T00:00:00Z' });

    // Act / Assess
    expect(decideAccess(inGrace, { feature: 'scheduled-backups' }, catalog, now).allowed).toBe(true);
    expect(decideAccess(graceOver, { feature: 'scheduled-backups' }, catalog, now)).toMatchObject({
      allowed: false,
      currentPlan: 'free',
    });
  });

  it('counts a record that is not entitled as free, whatever plan it names', () => {
    // Prepare
    const unpaid = onPlan('pro', { status: 'unpaid', entitled: false });

    // Act
    const decision = decideAccess(unpaid, { feature: 'scheduled-backups' }, catalog, now);

    // Assess
    expect(decision).toMatchObject({ allowed: false, currentPlan: 'free', status: 'unpaid' });
  });
});

describe('decideAccess: plans', () => {
  it.each([
    ['pro', 'pro', true],
    ['business', 'pro', true],
    ['enterprise', 'pro', true],
    ['trial', 'pro', true], // the trial grants every feature of pro
    ['starter', 'pro', false],
    ['free', 'pro', false],
    ['free', 'free', true],
    ['pro', 'business', false],
    ['trial', 'starter', false], // pro's features, but not starter's basic-backups, and ranked below starter
  ] as const)('%s reaches %s: %s', (current, required, allowed) => {
    // Act
    const decision = decideAccess(onPlan(current), { plan: required }, catalog, now);

    // Assess
    expect(decision.allowed).toBe(allowed);
  });

  it('denies with requiredPlan and no requiredFeature', () => {
    // Act
    const decision = decideAccess(onPlan('starter'), { plan: 'business' }, catalog, now);

    // Assess
    expect(decision).toEqual({
      allowed: false,
      code: 'feature_not_in_plan',
      message: 'This needs the business plan or higher; your plan is starter.',
      requiredFeature: null,
      requiredPlan: 'business',
      currentPlan: 'starter',
      status: 'active',
    });
  });
});

describe('requirements', () => {
  it('refuses a feature no plan grants and a plan the catalog lacks', () => {
    // Act / Assess
    expect(() => assertKnownRequirement({ feature: 'scheduled-backup' }, catalog)).toThrow(UnknownRequirementError);
    expect(() => assertKnownRequirement({ feature: 'scheduled-backup' }, catalog)).toThrow(
      'No plan in the catalog grants the feature "scheduled-backup"',
    );
    expect(() => assertKnownRequirement({ plan: 'platinum' as PlanId }, catalog)).toThrow(
      'The plan "platinum" is not in the catalog',
    );
    expect(() => assertKnownRequirement({ feature: 'priority-support' }, catalog)).not.toThrow();
  });

  it('lists the purchasable plans granting a feature, cheapest first (never the trial)', () => {
    // Act
    const plans = plansGranting('scheduled-backups', catalog).map((plan) => plan.id);

    // Assess
    expect(plans).toEqual(['pro', 'business', 'enterprise']);
  });
});
