import { describe, expect, it } from 'vitest';
import type { EntitlementRecord } from '../../../lambdas/domain/entitlement';
import { customerStateOf, transition } from '../../../lambdas/domain/event-ordering';
import { needsTokenRefresh, statusView } from '../../../lambdas/domain/status-view';
import { type NormalisedEvent, normaliseEvent } from '../../../lambdas/domain/stripe-events';
import {
  currentEntitlement,
  hasEntitledPaidPlan,
  startTrialRecord,
  stripeTrialDays,
  trialRefusal,
} from '../../../lambdas/domain/trial';
import { checkoutSessionObject, stripeEvent, subscriptionObject } from '../../fixtures/stripe/builders';
import { baseRecord, catalog, NOW, proRecord } from '../../support/api-doubles';

describe('trial rules', () => {
  it('offers the catalog trial length to a user who never had a trial, else nothing', () => {
    // Act / Assess
    expect(stripeTrialDays({ trialUsed: false }, catalog)).toBe(14);
    expect(stripeTrialDays({ trialUsed: true }, catalog)).toBeUndefined();
  });

  it.each<[string, Partial<EntitlementRecord>, boolean]>([
    ['active pro', {}, true],
    ['past_due pro in grace', { status: 'past_due', graceEndsAt: '2030-01-20T00:00:00.000Z' }, true],
    ['past_due pro after grace', { status: 'past_due', graceEndsAt: '2030-01-10T00:00:00.000Z' }, false],
    ['trialing pro (Stripe trial)', { status: 'trialing', trialEndsAt: '2030-01-20T00:00:00.000Z' }, true],
    ['canceled', { status: 'canceled', entitled: false }, false],
    [
      'cancelled at an ended period end',
      { cancelAtPeriodEnd: true, currentPeriodEnd: '2030-01-10T00:00:00.000Z' },
      false,
    ],
    ['no-card trial', { status: 'trialing', plan: 'trial', trialEndsAt: '2030-01-20T00:00:00.000Z' }, false],
  ])('entitled paid plan: %s -> %s', (_case, change, expected) => {
    // Prepare
    const record = { ...proRecord(), ...change };
    // Act
    const result = hasEntitledPaidPlan(currentEntitlement(record, catalog, NOW), catalog);
    // Assess
    expect(result).toBe(expected);
  });

  it('refuses a trial to a paid subscriber first, then to anyone who used one', () => {
    // Act / Assess
    expect(trialRefusal({ ...proRecord(), trialUsed: true }, catalog, NOW)).toBe('already_subscribed');
    expect(trialRefusal({ ...baseRecord(), trialUsed: true }, catalog, NOW)).toBe('trial_already_used');
    expect(trialRefusal(baseRecord(), catalog, NOW)).toBeUndefined();
  });

  it('builds the trial record and keeps the bookkeeping', () => {
    // Prepare
    const record = { ...baseRecord(), stripeCustomerId: 'cus_1', lastEventCreated: 99 };
    // Act
    const next = startTrialRecord(record, catalog, NOW);
    // Assess
    expect(next).toMatchObject({
      status: 'trialing',
      plan: 'trial',
      entitled: true,
      groups: ['trial'],
      cognitoGroups: ['free'],
      trialEndsAt: '2030-01-29T12:00:00.000Z',
      trialUsed: true,
      entitlementsVersion: record.entitlementsVersion + 1,
      stripeCustomerId: 'cus_1',
      lastEventCreated: 99,
      updatedAt: NOW.toISOString(),
    });
  });
});

describe('status view', () => {
  it('compares managed groups as sets, ignoring order, duplicates and unmanaged groups', () => {
    // Act / Assess
    expect(needsTokenRefresh(['pro', 'admins', 'pro'], { groups: ['pro'], cognitoGroups: ['pro'] }, catalog)).toBe(
      false,
    );
    expect(needsTokenRefresh([], { groups: ['pro'], cognitoGroups: ['pro'] }, catalog)).toBe(true);
    expect(needsTokenRefresh(['free'], { groups: ['pro'], cognitoGroups: ['free'] }, catalog)).toBe(false);
  });

  it('serves the evaluated entitlement with the record version', () => {
    // Prepare
    const record = { ...proRecord(), cancelAtPeriodEnd: true, currentPeriodEnd: '2030-01-10T00:00:00.000Z' };
    // Act
    const view = statusView(record, ['pro'], catalog, NOW);
    // Assess
    expect(view).toMatchObject({ status: 'canceled', plan: 'free', entitled: false, entitlementsVersion: 4 });
  });

  it.each([
    ['revoked for a refund', { action: 'revoked', reason: 'refund' }, 'revoked', 'refund'],
    ['revoked for a lost dispute', { action: 'revoked', reason: 'dispute' }, 'revoked', 'dispute'],
    ['flagged (access kept): no reason shown as revoked', { action: 'flagged', reason: 'refund' }, 'active', null],
  ] as const)('explains a payment reversal: %s', (_name, reversal, status, revokedReason) => {
    // Prepare
    const base = proRecord();
    const record =
      reversal.action === 'revoked'
        ? { ...baseRecord(), status: 'revoked' as const, paymentReversal: { ...reversal, chargeId: 'ch_1' } }
        : { ...base, paymentReversal: { ...reversal, chargeId: 'ch_1' } };
    // Act
    const view = statusView(record, [], catalog, NOW);
    // Assess
    expect(view).toMatchObject({ status, revokedReason });
  });
});

describe('a Stripe trial is seen (the first time is kept, whatever the delivery order)', () => {
  const T0 = 1767225600;
  const subscriptionEvent = (status: string, trialEnd: number | null, created: number) =>
    normaliseEvent(
      stripeEvent('customer.subscription.updated', subscriptionObject({ status, trialEnd }), {
        id: `evt_${status}_${created}`,
        created,
      }) as never,
    );
  const checkoutEvent = (trialDays: string | undefined, created: number) => {
    const session = checkoutSessionObject();
    session.metadata = trialDays ? { trial_days: trialDays } : {};
    return normaliseEvent(
      stripeEvent('checkout.session.completed', session, { id: `evt_cs_${created}`, created }) as never,
    );
  };

  it.each<[string, NormalisedEvent[], number | null]>([
    ['a subscription trialing', [subscriptionEvent('trialing', T0 + 14 * 86400, T0)], T0],
    ['a subscription past its trial (trial_end kept)', [subscriptionEvent('active', T0 - 1, T0 + 5)], T0 + 5],
    ['a subscription without a trial', [subscriptionEvent('active', null, T0)], null],
    ['a checkout that granted a trial', [checkoutEvent('14', T0 + 2)], T0 + 2],
    ['a checkout without a trial', [checkoutEvent(undefined, T0 + 2)], null],
    [
      'trialing then active: the first',
      [subscriptionEvent('trialing', T0 + 9, T0), subscriptionEvent('active', T0 + 9, T0 + 10)],
      T0,
    ],
  ])('%s', (_name, events, grantedAt) => {
    for (const order of [events, [...events].reverse()]) {
      // Act
      let state = customerStateOf(undefined);
      for (const event of order) {
        const step = transition(state, event, catalog);
        if (step.kind !== 'unchanged') state = step.state;
      }

      // Assess
      expect(state.billing.trialGrantedAt).toBe(grantedAt);
    }
  });
});
