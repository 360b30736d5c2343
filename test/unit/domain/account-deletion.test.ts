import { describe, expect, it } from 'vitest';
import {
  accountTombstoneKey,
  customerTombstoneKey,
  DEFAULT_ACCOUNT_DELETION,
  deletionSettingsProblem,
  emailHash,
  policyFor,
  subscriptionActions,
  trialUsedMarkKey,
} from '../../../lambdas/domain/account-deletion';

describe('account deletion: keys', () => {
  it('keys the trial-used mark by the SHA-256 of the normalised email, the same for every spelling', () => {
    const key = trialUsedMarkKey('Alice@Example.com');
    expect(key).toEqual({
      userId: 'email#sha256:ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976',
      entryId: 'trial-used',
    });
    expect(trialUsedMarkKey(' "alice"@EXAMPLE.com ')).toEqual(key);
    expect(emailHash('alice@bücher.de')).toBe(emailHash('alice@xn--bcher-kva.de'));
    expect(emailHash('bob@example.com')).not.toBe(emailHash('alice@example.com'));
  });

  it('keeps tombstones under key spaces no Cognito sub takes', () => {
    expect(accountTombstoneKey('0b6f-sub')).toEqual({ userId: '0b6f-sub', entryId: 'account#deleted' });
    expect(customerTombstoneKey('cus_1')).toEqual({ userId: 'stripe-customer#cus_1', entryId: 'account#deleted' });
  });
});

describe('account deletion: settings', () => {
  it('refuses cancel-at-period-end with a deleted customer (deleting a customer cancels at once)', () => {
    expect(
      deletionSettingsProblem({
        user: { subscriptions: 'cancel-at-period-end', customer: 'delete' },
        orphan: { subscriptions: 'keep' },
      }),
    ).toMatch(/anonymise/);
    expect(deletionSettingsProblem(DEFAULT_ACCOUNT_DELETION)).toBeUndefined();
  });

  it("uses the user's settings for a user's deletion and never touches an orphan's customer", () => {
    const settings = {
      user: { subscriptions: 'cancel-at-period-end', customer: 'anonymise' },
      orphan: { subscriptions: 'keep' },
    } as const;
    expect(policyFor(settings, 'user')).toEqual({ subscriptions: 'cancel-at-period-end', customer: 'anonymise' });
    expect(policyFor(settings, 'orphan')).toEqual({ subscriptions: 'keep', customer: 'keep' });
  });
});

describe('account deletion: what happens to each subscription', () => {
  const subscriptions = [
    { id: 'sub_active', status: 'active', cancelAtPeriodEnd: false },
    { id: 'sub_trial', status: 'trialing', cancelAtPeriodEnd: false },
    { id: 'sub_ending', status: 'active', cancelAtPeriodEnd: true },
    { id: 'sub_incomplete', status: 'incomplete', cancelAtPeriodEnd: false },
    { id: 'sub_canceled', status: 'canceled', cancelAtPeriodEnd: false },
    { id: 'sub_expired', status: 'incomplete_expired', cancelAtPeriodEnd: false },
  ];

  it('cancel-now: every subscription Stripe could still bill, none already ended', () => {
    expect(subscriptionActions(subscriptions, 'cancel-now')).toEqual([
      { id: 'sub_active', action: 'cancel-now' },
      { id: 'sub_trial', action: 'cancel-now' },
      { id: 'sub_ending', action: 'cancel-now' },
      { id: 'sub_incomplete', action: 'cancel-now' },
    ]);
  });

  it('cancel-at-period-end: paid periods run out, one already ending is left, one never started ends now', () => {
    expect(subscriptionActions(subscriptions, 'cancel-at-period-end')).toEqual([
      { id: 'sub_active', action: 'cancel-at-period-end' },
      { id: 'sub_trial', action: 'cancel-at-period-end' },
      { id: 'sub_incomplete', action: 'cancel-now' },
    ]);
  });

  it('keep: nothing', () => {
    expect(subscriptionActions(subscriptions, 'keep')).toEqual([]);
  });
});
