import { describe, expect, it } from 'vitest';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../../lambdas/domain/entitlement';
import { computeEntitlement } from '../../../lambdas/domain/entitlement-policy';
import type { PausedCollectionAccess } from '../../../lambdas/domain/policy-settings';
import type { SubscriptionSnapshot } from '../../../lambdas/domain/subscription-snapshot';
import {
  catalog,
  day,
  PHASES,
  type Phase,
  periodEnd,
  periodStart,
  policy,
  snapshot,
  trialEnd,
} from './subscription-fixtures';

/** What one subscription grants (subscription-access.ts), through the policy's entry point. */

/** [status, cancel_at_period_end, phase] -> expected [entitled, reported status]. Every combination is listed. */
const TABLE: [SubscriptionStatus, boolean, Phase, boolean, string][] = [];
const expected: Record<SubscriptionStatus, (cancel: boolean, phase: Phase) => [boolean, string]> = {
  active: (cancel, phase) => (cancel && phase === 'ended' ? [false, 'canceled'] : [true, 'active']),
  trialing: (cancel, phase) =>
    phase === 'early' ? [true, 'trialing'] : phase === 'ended' && cancel ? [false, 'canceled'] : [false, 'expired'],
  past_due: (cancel, phase) =>
    phase === 'early' ? [true, 'past_due'] : phase === 'ended' && cancel ? [false, 'canceled'] : [false, 'expired'],
  incomplete: () => [false, 'incomplete'],
  incomplete_expired: () => [false, 'incomplete_expired'],
  canceled: () => [false, 'canceled'],
  unpaid: () => [false, 'unpaid'],
  paused: () => [false, 'paused'],
};
for (const status of SUBSCRIPTION_STATUSES) {
  for (const cancel of [false, true]) {
    for (const phase of Object.keys(PHASES) as Phase[]) {
      const [entitled, reported] = expected[status](cancel, phase);
      TABLE.push([status, cancel, phase, entitled, reported]);
    }
  }
}

describe('computeEntitlement: one subscription, every status x cancel_at_period_end x time', () => {
  it.each(TABLE)('%s, cancel_at_period_end=%s, %s -> entitled %s (%s)', (status, cancel, phase, entitled, reported) => {
    // Prepare
    const sub = snapshot({ status, cancelAtPeriodEnd: cancel, trialEnd: status === 'trialing' ? trialEnd : null });

    // Act
    const result = computeEntitlement([sub], catalog, PHASES[phase], policy);

    // Assess
    expect(result.entitled).toBe(entitled);
    expect(result.status).toBe(reported);
    expect(result.plan).toBe(entitled ? 'pro' : 'free');
    expect(result.groups).toEqual(entitled ? ['pro'] : ['free']);
    expect(result.features).toEqual(entitled ? catalog.plan('pro').features : catalog.plan('free').features);
    if (entitled) {
      expect(result.cancelAtPeriodEnd).toBe(cancel);
      expect(result.currentPeriodEnd).toBe(new Date(periodEnd * 1000).toISOString());
    }
  });

  it('reports the end of the grace window while past_due is still entitled', () => {
    const result = computeEntitlement([snapshot({ status: 'past_due' })], catalog, PHASES.early, policy);
    expect(result.graceEndsAt).toBe(new Date((periodStart + 7 * day) * 1000).toISOString());
  });

  it('honours a configured grace window', () => {
    const sub = snapshot({ status: 'past_due' });
    expect(computeEntitlement([sub], catalog, PHASES.early, { ...policy, gracePeriodDays: 2 }).entitled).toBe(false);
    expect(computeEntitlement([sub], catalog, PHASES.late, { ...policy, gracePeriodDays: 30 }).entitled).toBe(true);
  });

  it('reports the trial end of a running trial', () => {
    const result = computeEntitlement([snapshot({ status: 'trialing', trialEnd })], catalog, PHASES.early, policy);
    expect(result.trialEndsAt).toBe(new Date(trialEnd * 1000).toISOString());
  });

  it('grants nothing for a price that is not in the catalog', () => {
    const result = computeEntitlement([snapshot({ plan: null })], catalog, PHASES.early, policy);
    expect(result).toMatchObject({ entitled: false, plan: 'free', status: 'active' });
  });

  it('is the free plan with status none without subscriptions', () => {
    expect(computeEntitlement([], catalog, PHASES.early, policy)).toMatchObject({ status: 'none', plan: 'free' });
  });
});

describe('computeEntitlement: cancel_at (any date) and paused collection', () => {
  const at = (seconds: number) => new Date((periodStart + seconds) * 1000);
  const iso = (seconds: number) => new Date((periodStart + seconds) * 1000).toISOString();
  const pause = { behavior: 'keep_as_draft', resumesAt: null };

  it.each<[string, Partial<SubscriptionSnapshot>, number, boolean, string, string | null]>([
    [
      'cancel_at beyond the period, before the renewal event',
      { cancelAt: periodStart + 40 * day },
      31 * day,
      true,
      'active',
      iso(40 * day),
    ],
    ['cancel_at beyond the period, passed', { cancelAt: periodStart + 40 * day }, 41 * day, false, 'canceled', null],
    [
      'cancel_at inside the period, before it',
      { cancelAt: periodStart + 10 * day },
      5 * day,
      true,
      'active',
      iso(10 * day),
    ],
    ['cancel_at inside the period, passed', { cancelAt: periodStart + 10 * day }, 11 * day, false, 'canceled', null],
    [
      'cancel at the period end, passed',
      { cancelAt: periodEnd, cancelAtPeriodEnd: true },
      31 * day,
      false,
      'canceled',
      null,
    ],
    [
      'an older record: cancel_at_period_end only',
      { cancelAtPeriodEnd: true },
      29 * day,
      true,
      'active',
      iso(30 * day),
    ],
    ['not cancelling', {}, 31 * day, true, 'active', null],
  ])('%s', (_name, overrides, now, entitled, status, cancelAt) => {
    // Act
    const result = computeEntitlement([snapshot(overrides)], catalog, at(now), policy);

    // Assess
    expect(result).toMatchObject({ entitled, status });
    if (entitled) expect(result.cancelAt).toBe(cancelAt);
    if (entitled) expect(result.currentPeriodEnd).toBe(iso(30 * day));
  });

  it.each<[string, PausedCollectionAccess | undefined, Partial<SubscriptionSnapshot>, boolean, string]>([
    ['keep (default): the service goes on for free', undefined, { pauseCollection: pause }, true, 'active'],
    ['keep', 'keep', { pauseCollection: pause }, true, 'active'],
    ['revoke: no access while collection is paused', 'revoke', { pauseCollection: pause }, false, 'paused'],
    [
      'revoke, resumes_at passed',
      'revoke',
      { pauseCollection: { behavior: 'void', resumesAt: periodStart + day } },
      true,
      'active',
    ],
    ['revoke, not paused', 'revoke', { pauseCollection: null }, true, 'active'],
  ])('paused collection, %s', (_name, pausedCollection, overrides, entitled, status) => {
    const result = computeEntitlement([snapshot(overrides)], catalog, PHASES.early, { ...policy, pausedCollection });
    expect(result).toMatchObject({ entitled, status, plan: entitled ? 'pro' : 'free' });
  });
});
