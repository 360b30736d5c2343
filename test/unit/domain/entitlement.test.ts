import { describe, expect, it } from 'vitest';
import {
  type Entitlement,
  evaluateAtRead,
  freeEntitlement,
  initialEntitlementRecord,
} from '../../../lambdas/domain/entitlement';
import { keepRunningNoCardTrial } from '../../../lambdas/domain/entitlement-policy';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';

const catalog = PlanCatalog.defaults();
const now = new Date('2026-11-22T12:00:00Z');
const past = '2026-11-22T11:59:59Z';
const future = '2026-11-22T12:00:01Z';

const pro = (overrides: Partial<Entitlement>): Entitlement => ({
  status: 'active',
  plan: 'pro',
  entitled: true,
  features: catalog.plan('pro').features,
  groups: ['pro'],
  currentPeriodEnd: future,
  trialEndsAt: null,
  cancelAtPeriodEnd: false,
  cancelAt: null,
  graceEndsAt: null,
  paymentReversal: null,
  ...overrides,
});

describe('evaluateAtRead (time applied at read)', () => {
  it.each([
    ['ended no-card trial', { status: 'trialing', plan: 'trial', trialEndsAt: past }, false, 'expired'],
    ['running trial', { status: 'trialing', plan: 'trial', trialEndsAt: future }, true, 'trialing'],
    ['ended grace window', { status: 'past_due', graceEndsAt: past }, false, 'expired'],
    ['running grace window', { status: 'past_due', graceEndsAt: future }, true, 'past_due'],
    ['cancelled period over', { cancelAtPeriodEnd: true, currentPeriodEnd: past }, false, 'canceled'],
    ['cancelled period running', { cancelAtPeriodEnd: true, currentPeriodEnd: future }, true, 'active'],
    [
      'cancel_at beyond an ended period (renewal not in yet)',
      { currentPeriodEnd: past, cancelAt: future },
      true,
      'active',
    ],
    ['cancel_at passed', { currentPeriodEnd: future, cancelAt: past }, false, 'canceled'],
    ['renewing period passed (webhook pending)', { currentPeriodEnd: past }, true, 'active'],
  ] as const)('%s', (_name, overrides, entitled, status) => {
    const result = evaluateAtRead(pro(overrides as Partial<Entitlement>), catalog, now);
    expect(result.entitled).toBe(entitled);
    expect(result.status).toBe(status);
    if (!entitled) {
      expect(result.plan).toBe('free');
      expect(result.groups).toEqual(['free']);
    }
  });

  it('treats the exact end instant as ended', () => {
    const result = evaluateAtRead(pro({ status: 'trialing', trialEndsAt: now.toISOString() }), catalog, now);
    expect(result.entitled).toBe(false);
  });

  it('leaves a not-entitled record as it is', () => {
    const none = freeEntitlement(catalog);
    expect(evaluateAtRead(none, catalog, now)).toBe(none);
  });
});

describe('initialEntitlementRecord', () => {
  it('starts a new user on free, status none, with nothing applied in Cognito yet', () => {
    const record = initialEntitlementRecord(catalog, { sub: 's1', cognitoUsername: 'u1', email: 'a@x.com' }, now);
    expect(record).toMatchObject({
      cognito_sub: 's1',
      cognitoUsername: 'u1',
      status: 'none',
      plan: 'free',
      entitled: false,
      groups: ['free'],
      cognitoGroups: [],
      entitlementsVersion: 1,
      lastEventCreated: 0,
      trialUsed: false,
      createdAt: now.toISOString(),
    });
    expect(record).not.toHaveProperty('stripeCustomerId');
  });
});

describe('keepRunningNoCardTrial', () => {
  const trial = pro({ status: 'trialing', plan: 'trial', groups: ['trial'], trialEndsAt: future });
  const free = freeEntitlement(catalog, 'canceled');

  it('keeps a running no-card trial that Stripe knows nothing about', () => {
    expect(keepRunningNoCardTrial(trial, free, [{ status: 'canceled' }], now)).toEqual(trial);
  });

  it('lets a paid (or Stripe-trialing) subscription, an ended trial, or an entitled result win', () => {
    expect(keepRunningNoCardTrial(trial, free, [{ status: 'active' }], now)).toBe(free);
    expect(keepRunningNoCardTrial(trial, free, [{ status: 'trialing' }], now)).toBe(free);
    expect(keepRunningNoCardTrial({ ...trial, trialEndsAt: past }, free, [], now)).toBe(free);
    const paid = pro({});
    expect(keepRunningNoCardTrial(trial, paid, [], now)).toBe(paid);
  });

  const none = freeEntitlement(catalog, 'none');
  const expiredTrial = { ...freeEntitlement(catalog, 'expired'), trialEndsAt: past };
  it.each<[string, Entitlement, Entitlement, string, string | null]>([
    [
      'an ended no-card trial reads expired with its end date, not none',
      { ...trial, trialEndsAt: past },
      none,
      'expired',
      past,
    ],
    ['and keeps reading so on every later write (reconcile too)', expiredTrial, none, 'expired', past],
    ['a user who never had a trial stays none', freeEntitlement(catalog, 'none'), none, 'none', null],
    ['a Stripe subscription decides when there is one', expiredTrial, free, 'canceled', null],
    ['a running trial is kept', trial, none, 'trialing', future],
  ])('%s', (_name, stored, computed, status, trialEndsAt) => {
    const result = keepRunningNoCardTrial(stored, computed, [], now);
    expect(result).toMatchObject({ status, trialEndsAt });
  });
});
