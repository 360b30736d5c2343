import { AdminDeleteUserCommand, AdminUpdateUserAttributesCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { DynamoAccountTombstoneStore } from '../../../../lambdas/adapters/dynamo/account-tombstone-store';
import type { AccountDeletionSettings } from '../../../../lambdas/domain/account-deletion';
import { CONTRACTS } from '../../../../lambdas/platform/contracts';
import { createRuntime } from '../../../../lambdas/platform/runtime';
import { systemClock } from '../../../../lambdas/ports/app-ports';
import { reconcile } from '../../../../lambdas/use-cases/reconcile/reconcile';
import { reconcileDepsFromRuntime } from '../../../../lambdas/wiring/reconcile';
import { uniqueEmail } from '../../../support/backend';
import { confirmedUser, kindsBySub, linkedUser, stores, subscribe, useReconcileWorld } from './support';

/** Reconcile with the stage's account-deletion settings: orphans cleaned up, unfinished deletions finished. */
const world = useReconcileWorld();

const settings = (orphanSubscriptions: 'cancel-now' | 'keep' = 'cancel-now'): AccountDeletionSettings => ({
  user: { subscriptions: 'cancel-now', customer: 'delete' },
  orphan: { subscriptions: orphanSubscriptions },
});

async function depsWith(accountDeletion: AccountDeletionSettings) {
  const runtime = createRuntime(CONTRACTS.reconcileScheduled, world().env);
  return reconcileDepsFromRuntime(runtime, { clock: systemClock, concurrency: 4, accountDeletion });
}

async function deleteCognitoUser(username: string) {
  const { cognitoClient, userPool } = world().backend;
  await cognitoClient.send(new AdminDeleteUserCommand({ UserPoolId: userPool.userPoolId, Username: username }));
}

const tombstones = () => new DynamoAccountTombstoneStore(world().backend.ddb, world().backend.tables.auditLog);

describe('reconcile cleans up orphans and finishes deletions', () => {
  it('an operator deleted the Cognito user: the dry run reports, the apply run deletes the rows and cancels the subscription', async () => {
    // Prepare
    const w = world();
    const user = await linkedUser(w, 'orphan');
    const subscription = await subscribe(w, user.customer, 'pro_monthly');
    await deleteCognitoUser(user.username);
    const deps = await depsWith(settings());

    // Act
    const dryRun = await reconcile(deps, { apply: false, trigger: 'admin', user: user.sub });
    const applied = await reconcile(deps, { apply: true, trigger: 'admin', user: user.sub });
    const after = await reconcile(deps, { apply: false, trigger: 'admin', user: user.sub });

    // Assess
    expect(kindsBySub(dryRun.findings)).toEqual({ [user.sub]: ['orphaned-profile'] });
    expect(dryRun.findings[0]?.repair).toBe('apply');
    expect(applied.repairs).toMatchObject({ applied: 1, failed: 0 });
    expect(await stores(w).profiles.get(user.sub)).toBeUndefined();
    expect(await stores(w).entitlements.get(user.sub)).toBeUndefined();
    expect((await w.stripe.client().subscriptions.retrieve(subscription)).status).toBe('canceled');
    const customer = await w.stripe.client().customers.retrieve(user.customer);
    expect('deleted' in customer && customer.deleted).toBeFalsy();
    expect(await tombstones().accountTombstone(user.sub)).toMatchObject({ trigger: 'orphan', customer: 'keep' });
    expect(await tombstones().isDeletedCustomer(user.customer)).toBe(true);
    expect(after.findings).toEqual([]);
    expect(after.usersTotal).toBe(0);
  });

  it("with orphanSubscriptions 'keep' the subscription goes on billing (the operator's call)", async () => {
    // Prepare
    const w = world();
    const user = await linkedUser(w, 'orphan-keep');
    const subscription = await subscribe(w, user.customer, 'pro_monthly');
    await deleteCognitoUser(user.username);

    // Act
    await reconcile(await depsWith(settings('keep')), { apply: true, trigger: 'admin', user: user.sub });

    // Assess
    expect(await stores(w).profiles.get(user.sub)).toBeUndefined();
    expect((await w.stripe.client().subscriptions.retrieve(subscription)).status).toBe('active');
  });

  it("finishes a user's deletion that stopped after the mark: Cognito user, rows and customer go", async () => {
    // Prepare
    const w = world();
    const user = await linkedUser(w, 'unfinished');
    await stores(w).profiles.markDeletion(user.sub, { requestedAt: new Date().toISOString(), trigger: 'user' });

    // Act
    const report = await reconcile(await depsWith(settings()), { apply: true, trigger: 'schedule', user: user.sub });

    // Assess
    expect(kindsBySub(report.findings)).toEqual({ [user.sub]: ['account-deletion-pending'] });
    expect(await stores(w).profiles.get(user.sub)).toBeUndefined();
    expect(await stores(w).entitlements.get(user.sub)).toBeUndefined();
    const customer = await w.stripe.client().customers.retrieve(user.customer);
    expect('deleted' in customer && customer.deleted).toBe(true);
    await expect(stores(w).groups.listGroupsForUser(user.username)).rejects.toThrow();
  });

  it('leaves an orphan found by a stale listing alone when the Cognito user exists at repair time', async () => {
    // Prepare: the profile's sub has a Cognito user after all (the source's bulk listing missed it)
    const w = world();
    const user = await linkedUser(w, 'not-orphan');
    const deps = await depsWith(settings());
    const source = deps.source;
    deps.source = Object.assign(Object.create(Object.getPrototypeOf(source)), source, {
      findUser: (() => {
        let calls = 0;
        return async (sub: string) => (++calls === 1 ? undefined : source.findUser(sub));
      })(),
    });

    // Act
    const report = await reconcile(deps, { apply: true, trigger: 'admin', user: user.sub });

    // Assess
    expect(report.repairs.failed).toBe(1);
    expect(await stores(w).profiles.get(user.sub)).toBeDefined();
  });

  it('updates the profile when the user changed their email in Cognito', async () => {
    // Prepare
    const w = world();
    const user = await confirmedUser(w, 'email-change');
    const deps = await depsWith(settings());
    await reconcile(deps, { apply: true, trigger: 'admin', user: user.sub });
    const newEmail = uniqueEmail('email-changed');
    await w.backend.cognitoClient.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: w.backend.userPool.userPoolId,
        Username: user.username,
        UserAttributes: [{ Name: 'email', Value: newEmail }],
      }),
    );

    // Act
    const report = await reconcile(deps, { apply: true, trigger: 'admin', user: user.sub });

    // Assess
    expect(kindsBySub(report.findings)[user.sub]).toContain('profile-email-changed');
    expect((await stores(w).profiles.get(user.sub))?.email).toBe(newEmail);
    expect(await stores(w).profiles.findByEmail(user.email)).toEqual([]);
  });
});
