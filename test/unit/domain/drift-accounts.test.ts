import { describe, expect, it } from 'vitest';
import { type DriftContext, planUser, type UserSnapshot } from '../../../lambdas/domain/drift';
import { initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';

const catalog = PlanCatalog.defaults();
const NOW = new Date('2026-06-01T12:00:00Z');
// Whatever shape the entitlement policy has: these plans do not depend on it beyond a valid grace period.
const policy = {
  gracePeriodDays: 7,
  revokeOnDispute: true,
  paymentReversal: 'revoke',
} as unknown as DriftContext['policy'];
const reportingCtx: DriftContext = { catalog, policy, now: NOW, stripeListedAt: NOW.getTime() / 1000, runId: 'run-1' };
const ctx: DriftContext = { ...reportingCtx, deletesAccounts: true };

/** A user in sync without a Stripe customer: confirmed, profile, free record, in the free group. */
function user(): UserSnapshot {
  return {
    sub: 'sub-1',
    cognito: {
      sub: 'sub-1',
      username: 'sub-1',
      email: 'a@example.com',
      emailVerified: true,
      identityProvider: 'cognito',
      status: 'CONFIRMED',
    },
    cognitoGroups: ['free'],
    profile: {
      userId: 'sub-1',
      cognitoUsername: 'sub-1',
      email: 'a@example.com',
      emailVerified: true,
      identityProvider: 'cognito',
      stripeCustomerId: 'cus_1',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    },
    record: {
      ...initialEntitlementRecord(catalog, { sub: 'sub-1', cognitoUsername: 'sub-1', stripeCustomerId: 'cus_1' }, NOW),
      cognitoGroups: ['free'],
    },
    customers: [{ id: 'cus_1', cognitoSub: 'sub-1', created: 1_700_000_000, subscriptions: [], complete: false }],
  };
}

describe('planUser: orphans, unfinished deletions and email changes', () => {
  it('deletes an orphan (profile and record without a Cognito user) in a run that can delete accounts', () => {
    // Prepare
    const snapshot = user();
    delete snapshot.cognito;
    delete snapshot.cognitoGroups;
    // Act
    const plan = planUser(snapshot, ctx);
    // Assess
    expect(plan.findings.map((f) => [f.kind, f.repair])).toEqual([['orphaned-profile', 'apply']]);
    expect(plan.actions).toEqual([{ type: 'delete-account', trigger: 'orphan' }]);
  });

  it('only reports it in a run without the account-deletion settings', () => {
    // Prepare
    const snapshot = user();
    delete snapshot.cognito;
    // Act
    const plan = planUser(snapshot, reportingCtx);
    // Assess
    expect(plan.findings.map((f) => [f.kind, f.repair])).toEqual([['orphaned-profile', 'report-only']]);
    expect(plan.actions).toEqual([]);
  });

  it('deletes a record left without profile or Cognito user', () => {
    // Prepare
    const snapshot = user();
    delete snapshot.cognito;
    delete snapshot.profile;
    // Act / Assess
    expect(planUser(snapshot, ctx).actions).toEqual([{ type: 'delete-account', trigger: 'orphan' }]);
  });

  it.each([true, false])(
    'finishes a deletion that stopped part-way (Cognito user still there: %s), nothing else',
    (cognito) => {
      // Prepare
      const snapshot = user();
      if (!cognito) delete snapshot.cognito;
      (snapshot.profile as NonNullable<UserSnapshot['profile']>).deletion = {
        requestedAt: '2026-05-31T00:00:00Z',
        trigger: 'user',
      };
      snapshot.cognitoGroups = [];
      // Act
      const plan = planUser(snapshot, ctx);
      // Assess
      expect(plan.findings.map((f) => f.kind)).toEqual(['account-deletion-pending']);
      expect(plan.actions).toEqual([{ type: 'delete-account', trigger: 'user' }]);
    },
  );

  it('updates the profile when the Cognito user changed their email (the old address is free again)', () => {
    // Prepare
    const snapshot = user();
    (snapshot.cognito as NonNullable<UserSnapshot['cognito']>).email = 'new@example.com';
    // Act
    const plan = planUser(snapshot, ctx);
    // Assess
    expect(plan.findings.map((f) => f.kind)).toEqual(['profile-email-changed']);
    expect(plan.actions).toEqual([{ type: 'provision-user', user: snapshot.cognito }]);
  });

  it('treats another spelling of the same address as no change', () => {
    // Prepare
    const snapshot = user();
    (snapshot.cognito as NonNullable<UserSnapshot['cognito']>).email = '"A"@Example.com';
    // Act / Assess
    expect(planUser(snapshot, ctx).findings).toEqual([]);
  });
});
