import { describe, expect, it } from 'vitest';
import { type DriftContext, planUser, type UserSnapshot } from '../../../lambdas/domain/drift';
import { reportingContext, syncedUser } from './drift-fixtures';

const ctx: DriftContext = { ...reportingContext, deletesAccounts: true };
const reportingCtx = reportingContext;
const user = syncedUser;

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
