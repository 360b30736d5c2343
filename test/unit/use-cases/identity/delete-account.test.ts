import { describe, expect, it } from 'vitest';
import { type DeletionPolicy, emailHash } from '../../../../lambdas/domain/account-deletion';
import { initialEntitlementRecord } from '../../../../lambdas/domain/entitlement';
import { DependencyUnavailableError } from '../../../../lambdas/domain/errors';
import { PlanCatalog } from '../../../../lambdas/domain/plan-catalog';
import { type DeleteAccountDeps, deleteAccount } from '../../../../lambdas/use-cases/identity/delete-account';
import { faulty, MemoryBillingCleanup, MemoryUserCleanup } from '../../../support/account-doubles';
import { MemoryCreditLedgers } from '../../../support/credit-doubles';
import { MemoryAccountTombstoneStore } from '../../../support/fakes/account-tombstone-store';
import { MemoryEntitlementStore } from '../../../support/fakes/entitlement-store';
import { MemoryProfileStore } from '../../../support/fakes/profile-store';
import { useLogCapture } from '../../../support/logs';

const catalog = PlanCatalog.defaults();
const now = new Date('2030-03-01T10:00:00.000Z');
const clock = { now: () => now };
const SUB = 'sub-1';
const EMAIL = 'alice@example.com';
const userPolicy: DeletionPolicy = { subscriptions: 'cancel-now', customer: 'delete' };

/** A confirmed user with a profile, a record (trial used), a Stripe customer with one active subscription. */
function world(options: { trialUsed?: boolean; cognito?: boolean } = {}) {
  const profiles = new MemoryProfileStore();
  const entitlements = new MemoryEntitlementStore();
  const users = new MemoryUserCleanup();
  const billing = new MemoryBillingCleanup();
  const tombstones = new MemoryAccountTombstoneStore();
  const credits = new MemoryCreditLedgers();
  credits.items.set(SUB, { sub: SUB, balance: 70, version: 2, grants: {}, updatedAt: now.toISOString() });
  profiles.items.set(SUB, {
    userId: SUB,
    cognitoUsername: 'user-1',
    email: EMAIL,
    emailVerified: true,
    givenName: 'Alice',
    stripeCustomerId: 'cus_1',
    identityProvider: 'cognito',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
  });
  entitlements.items.set(SUB, {
    ...initialEntitlementRecord(
      catalog,
      { sub: SUB, cognitoUsername: 'user-1', email: EMAIL, stripeCustomerId: 'cus_1' },
      now,
    ),
    trialUsed: options.trialUsed ?? true,
  });
  if (options.cognito ?? true) users.users.add('user-1');
  billing.addCustomer('cus_1', EMAIL, SUB);
  billing.addSubscription('cus_1', 'sub_paid');
  billing.addSubscription('cus_1', 'sub_old', 'canceled');
  const deps: DeleteAccountDeps = {
    profiles,
    entitlements,
    credits,
    users,
    billing: async () => billing,
    tombstones,
    clock,
  };
  const state = () => ({
    profiles: [...profiles.items.keys()],
    records: [...entitlements.items.keys()],
    credits: [...credits.items.keys()],
    cognito: [...users.users],
    customers: Object.fromEntries(billing.customers),
    subscriptions: [...billing.subscriptionsById.values()].map((s) => `${s.id}:${s.status}:${s.cancelAtPeriodEnd}`),
    accounts: [...tombstones.accounts.values()],
    customerTombstones: Object.fromEntries(tombstones.customers),
    trialsUsed: [...tombstones.trialsUsed],
  });
  return { deps, profiles, entitlements, credits, users, billing, tombstones, state };
}

describe('deleteAccount', () => {
  it("a user's deletion: subscriptions canceled, customer deleted, Cognito user, record and profile gone, tombstones kept", async () => {
    // Prepare
    const w = world();
    // Act
    const outcome = await deleteAccount(w.deps, { sub: SUB, trigger: 'user', policy: userPolicy });
    // Assess
    expect(outcome.kind).toBe('deleted');
    expect(w.state()).toMatchObject({
      profiles: [],
      records: [],
      credits: [],
      cognito: [],
      customers: { cus_1: { deleted: true } },
      subscriptions: ['sub_paid:canceled:false', 'sub_old:canceled:false'],
      customerTombstones: { cus_1: SUB },
      trialsUsed: [emailHash(EMAIL)],
    });
    expect(w.state().accounts).toEqual([
      {
        userId: SUB,
        entryId: 'account#deleted',
        trigger: 'user',
        requestedAt: now.toISOString(),
        deletedAt: now.toISOString(),
        stripeCustomerId: 'cus_1',
        subscriptions: 'cancel-now',
        customer: 'delete',
        trialUsed: true,
      },
    ]);
    // The tombstone holds no PII: no email, no name.
    expect(JSON.stringify(w.state().accounts)).not.toMatch(/alice/i);
  });

  it('anonymise + cancel at period end: the subscription runs out, the customer stays without PII or link', async () => {
    // Prepare
    const w = world();
    // Act
    await deleteAccount(w.deps, {
      sub: SUB,
      trigger: 'user',
      policy: { subscriptions: 'cancel-at-period-end', customer: 'anonymise' },
    });
    // Assess
    expect(w.state().subscriptions).toEqual(['sub_paid:active:true', 'sub_old:canceled:false']);
    expect(w.billing.customers.get('cus_1')).toEqual({
      deleted: false,
      email: null,
      metadata: { account_deleted_at: now.toISOString() },
    });
  });

  it('an orphan (Cognito user already gone): subscriptions per setting, customer untouched, no Cognito call', async () => {
    // Prepare
    const w = world({ cognito: false });
    // Act
    await deleteAccount(w.deps, {
      sub: SUB,
      trigger: 'orphan',
      policy: { subscriptions: 'cancel-now', customer: 'keep' },
    });
    // Assess
    expect(w.state()).toMatchObject({
      profiles: [],
      records: [],
      subscriptions: ['sub_paid:canceled:false', 'sub_old:canceled:false'],
    });
    expect(w.billing.customers.get('cus_1')?.deleted).toBe(false);
    expect(w.billing.calls).toEqual(['list cus_1', 'cancel sub_paid']);
    expect(w.state().accounts[0]).toMatchObject({ trigger: 'orphan', customer: 'keep' });
  });

  it('keeps no trial mark when the trial was never used', async () => {
    // Prepare
    const w = world({ trialUsed: false });
    // Act
    await deleteAccount(w.deps, { sub: SUB, trigger: 'user', policy: userPolicy });
    // Assess
    expect(w.state().trialsUsed).toEqual([]);
  });

  it('is idempotent: a second request finds the tombstone and calls Stripe no more', async () => {
    // Prepare
    const w = world();
    await deleteAccount(w.deps, { sub: SUB, trigger: 'user', policy: userPolicy });
    const before = w.state();
    const stripeCalls = w.billing.calls.length;
    // Act
    const again = await deleteAccount(w.deps, { sub: SUB, trigger: 'user', policy: userPolicy });
    // Assess
    expect(again.kind).toBe('already-deleted');
    expect(w.state()).toEqual(before);
    expect(w.billing.calls).toHaveLength(stripeCalls);
  });

  it('an orphan run for a sub with nothing left does nothing', async () => {
    // Prepare
    const w = world();
    w.profiles.items.clear();
    w.entitlements.items.clear();
    // Act / Assess
    expect(await deleteAccount(w.deps, { sub: SUB, trigger: 'orphan', policy: userPolicy })).toEqual({
      kind: 'nothing',
    });
  });

  it('remembers a customer only the record knew (in the mark), so a retry after the record is gone still ends it', async () => {
    // Prepare: the profile never got the customer id (Stripe was down at sign-up), the record did
    const w = world();
    const profile = w.profiles.items.get(SUB);
    if (profile) delete profile.stripeCustomerId;
    const billing = w.billing;
    let failed = false;
    w.deps.billing = async () => {
      if (!failed) {
        failed = true;
        throw new DependencyUnavailableError('stripe', 'stripe secret read failed');
      }
      return billing;
    };
    // Act
    await expect(deleteAccount(w.deps, { sub: SUB, trigger: 'user', policy: userPolicy })).rejects.toThrow();
    const recordAfterFailure = w.entitlements.items.has(SUB);
    await deleteAccount(w.deps, { sub: SUB, trigger: 'user', policy: userPolicy });
    // Assess
    expect(recordAfterFailure).toBe(false);
    expect(w.state()).toMatchObject({ profiles: [], customers: { cus_1: { deleted: true } } });
  });

  it('an orphaned record without a profile keeps its record until Stripe is done (nothing else to resume from)', async () => {
    // Prepare
    const w = world({ cognito: false });
    w.profiles.items.clear();
    const billing = w.billing;
    w.deps.billing = async () => {
      throw new DependencyUnavailableError('stripe', 'down');
    };
    // Act
    await expect(
      deleteAccount(w.deps, { sub: SUB, trigger: 'orphan', policy: { subscriptions: 'cancel-now', customer: 'keep' } }),
    ).rejects.toThrow();
    const recordKept = w.entitlements.items.has(SUB);
    w.deps.billing = async () => billing;
    await deleteAccount(w.deps, {
      sub: SUB,
      trigger: 'orphan',
      policy: { subscriptions: 'cancel-now', customer: 'keep' },
    });
    // Assess
    expect(recordKept).toBe(true);
    expect(w.state()).toMatchObject({
      records: [],
      subscriptions: ['sub_paid:canceled:false', 'sub_old:canceled:false'],
    });
  });

  describe('resumable: a failure at any call, then a retry, ends exactly like an undisturbed deletion', () => {
    const logs = useLogCapture();
    /** The world with every port wrapped so that call number `failAt` fails once. */
    function wrapped(failAt?: number) {
      const w = world();
      const counter: { calls: string[]; failAt?: number } = { calls: [], ...(failAt ? { failAt } : {}) };
      const billing = faulty(w.billing, counter, 'stripe');
      const deps: DeleteAccountDeps = {
        profiles: faulty(w.profiles, counter, 'profiles'),
        entitlements: faulty(w.entitlements, counter, 'entitlements'),
        credits: faulty(w.credits, counter, 'credits'),
        users: faulty(w.users, counter, 'cognito'),
        billing: async () => billing,
        tombstones: faulty(w.tombstones, counter, 'tombstones'),
        clock,
      };
      return { w, deps, counter };
    }

    const baseline = wrapped();
    const input = { sub: SUB, trigger: 'user' as const, policy: userPolicy };

    it('lists the calls of a deletion', async () => {
      await deleteAccount(baseline.deps, input);
      expect(baseline.counter.calls).toEqual([
        'profiles.get',
        'entitlements.get',
        'tombstones.accountTombstone',
        'profiles.markDeletion',
        'tombstones.markTrialUsed',
        'tombstones.markCustomerDeleted',
        'entitlements.remove',
        'credits.remove',
        'stripe.subscriptions',
        'stripe.cancelNow',
        'stripe.deleteCustomer',
        'cognito.deleteUser',
        'tombstones.putAccountTombstone',
        'profiles.remove',
      ]);
    });

    it.each(Array.from({ length: 14 }, (_, i) => i + 1))(
      'call %i fails once: 503-like error, the retry finishes',
      async (failAt) => {
        // Prepare
        const { w, deps, counter } = wrapped(failAt);
        const expected = world();
        await deleteAccount(expected.deps, input);
        // Act
        const first = deleteAccount(deps, input);
        await expect(first).rejects.toBeInstanceOf(DependencyUnavailableError);
        const failedAt = counter.calls[failAt - 1];
        const retried = await deleteAccount(deps, input);
        // Assess
        expect(failedAt).toBeDefined();
        expect(retried.kind).toBe('deleted');
        expect(w.state()).toEqual(expected.state());
        // Logged once, for the AccountDeletionFailures alarm (lib/log-signals.ts)
        expect(logs.errors()).toEqual(['Account deletion failed part-way; a retry or reconcile finishes it']);
        expect(logs.lines.find((line) => line.level === 'ERROR')).toMatchObject({
          sub: SUB,
          trigger: 'user',
          dependency: 'dynamodb',
          error: `DependencyUnavailableError: injected failure at ${failedAt}`,
        });
      },
    );
  });
});
