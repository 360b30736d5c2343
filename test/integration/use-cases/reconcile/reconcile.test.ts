import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoParkedEventStore } from '../../../../lambdas/adapters/dynamo/parked-events';
import { reconcile } from '../../../../lambdas/use-cases/reconcile/reconcile';
import { uniqueEmail } from '../../../support/backend';
import {
  confirmedUser,
  kindsBySub,
  linkedUser,
  managedGroupsOf,
  provisionedUser,
  setGroups,
  stores,
  stripeCustomer,
  subscribe,
  useReconcileWorld,
} from './support';

const world = useReconcileWorld();

describe('reconcile against dynalite, cognito-local and the Stripe emulator', () => {
  it('reports each seeded drift in a dry run, repairs exactly that, and finds nothing repairable afterwards', async () => {
    // Prepare: one user per drift kind.
    const w = world();
    const { profiles, entitlements } = stores(w);
    const noProfile = await confirmedUser(w, 'no-profile');

    const unlinked = await provisionedUser(w, 'unlinked');
    const unlinkedCustomer = await stripeCustomer(w, unlinked.sub, unlinked.email);
    await subscribe(w, unlinkedCustomer, 'pro_monthly');
    // The webhook for that subscription was parked a while ago (the customer was not linked yet).
    const emitted = w.stripe.events().find((e) => e.type === 'customer.subscription.created');
    if (!emitted) throw new Error('the emulator emitted no subscription event');
    const event = { ...emitted, created: emitted.created - 60 };
    const parked = new DynamoParkedEventStore(w.backend.ddb, w.backend.tables.parkedEvents);
    await parked.park({
      eventId: event.id,
      type: event.type,
      stripeCustomerId: unlinkedCustomer,
      reason: 'unresolved',
      detail: 'no user for the customer',
      payload: JSON.stringify(event),
      createdAt: new Date(event.created * 1000).toISOString(),
    });

    const duplicated = await linkedUser(w, 'duplicated');
    const extraCustomer = await stripeCustomer(w, duplicated.sub, duplicated.email);

    const paying = await linkedUser(w, 'paying');
    await subscribe(w, paying.customer, 'business_monthly');

    const editedGroups = await linkedUser(w, 'edited-groups');
    await setGroups(w, editedGroups.username, ['enterprise'], ['free']);

    const trialEnded = await linkedUser(w, 'trial-ended');
    const trialRecord = await entitlements.get(trialEnded.sub);
    if (!trialRecord) throw new Error('no record');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    await entitlements.writeIfVersion(
      {
        ...trialRecord,
        status: 'trialing',
        plan: 'trial',
        entitled: true,
        features: ['scheduled-backups', 'multiple-sources'],
        groups: ['trial'],
        cognitoGroups: ['trial'],
        trialEndsAt: yesterday,
        trialUsed: true,
        entitlementsVersion: trialRecord.entitlementsVersion + 1,
      },
      trialRecord.entitlementsVersion,
    );
    await setGroups(w, trialEnded.username, ['trial'], ['free']);

    const noRecord = await linkedUser(w, 'no-record');
    await w.backend.ddb.send(
      new DeleteCommand({ TableName: w.backend.tables.entitlements, Key: { cognito_sub: noRecord.sub } }),
    );

    const orphanSub = `orphan-${Date.now()}`;
    await profiles.upsert(
      {
        userId: orphanSub,
        cognitoUsername: orphanSub,
        email: uniqueEmail('orphan'),
        emailVerified: true,
        identityProvider: 'cognito',
      },
      new Date(),
    );
    const inSync = await linkedUser(w, 'in-sync');

    // Act: dry run.
    const dry = await reconcile(await w.deps(), { apply: false, trigger: 'cli' });

    // Assess: exactly the seeded drift, nothing for the user in sync.
    expect(dry.status).toBe('complete');
    expect(kindsBySub(dry.findings)).toEqual({
      '*': ['parked-events'],
      [noProfile.sub]: ['groups-mismatch', 'missing-profile', 'missing-stripe-customer'],
      [unlinked.sub]: ['entitlement-mismatch', 'groups-mismatch', 'missing-stripe-customer'],
      [duplicated.sub]: ['duplicate-stripe-customers'],
      [paying.sub]: ['entitlement-mismatch', 'groups-mismatch'],
      [editedGroups.sub]: ['groups-mismatch'],
      [trialEnded.sub]: ['groups-mismatch', 'period-ended'],
      [noRecord.sub]: ['missing-entitlement-record'],
      [orphanSub]: ['orphaned-profile'],
    });
    expect(dry.findings.find((f) => f.sub === unlinked.sub && f.kind === 'missing-stripe-customer')?.detail).toContain(
      unlinkedCustomer,
    );
    expect(dry.findings.find((f) => f.kind === 'duplicate-stripe-customers')?.detail).toContain(extraCustomer);
    expect(await profiles.get(noProfile.sub)).toBeUndefined();

    // Act: apply.
    const applied = await reconcile(await w.deps(), { apply: true, trigger: 'cli' });

    // Assess: the apply saw and reported the same drift, and repaired it.
    expect(applied.findings).toEqual(dry.findings);
    expect(applied.repairs.failures).toEqual([]);
    expect(applied.repairs.applied).toBeGreaterThan(0);

    const newProfile = await profiles.get(noProfile.sub);
    expect(newProfile?.stripeCustomerId).toMatch(/^cus_/);
    expect(await managedGroupsOf(w, noProfile.username)).toEqual(['free']);
    expect((await profiles.get(unlinked.sub))?.stripeCustomerId).toBe(unlinkedCustomer);
    expect((await entitlements.get(unlinked.sub))?.plan).toBe('pro');
    expect(await managedGroupsOf(w, unlinked.username)).toEqual(['pro']);
    expect(await parked.listAll()).toEqual([]);
    expect((await profiles.get(duplicated.sub))?.stripeCustomerId).toBe(duplicated.customer);
    expect((await w.stripe.client().customers.retrieve(extraCustomer)).deleted).toBeUndefined();
    expect(await entitlements.get(paying.sub)).toMatchObject({ plan: 'business', status: 'active', entitled: true });
    expect(await managedGroupsOf(w, paying.username)).toEqual(['business']);
    expect(await managedGroupsOf(w, editedGroups.username)).toEqual(['free']);
    expect(await entitlements.get(trialEnded.sub)).toMatchObject({ plan: 'free', entitled: false });
    expect(await managedGroupsOf(w, trialEnded.username)).toEqual(['free']);
    expect(await entitlements.get(noRecord.sub)).toMatchObject({ plan: 'free', stripeCustomerId: noRecord.customer });
    expect(await managedGroupsOf(w, inSync.username)).toEqual(['free']);

    // Act: the next run.
    const next = await reconcile(await w.deps(), { apply: false, trigger: 'cli' });

    // Assess: only what reconcile never repairs by itself is left.
    expect(kindsBySub(next.findings)).toEqual({
      [duplicated.sub]: ['duplicate-stripe-customers'],
      [orphanSub]: ['orphaned-profile'],
    });
    expect(next.findings.every((f) => f.repair === 'report-only')).toBe(true);
  });

  it('checks and repairs a single user with list calls only', async () => {
    // Prepare
    const w = world();
    const user = await linkedUser(w, 'single');
    await subscribe(w, user.customer, 'starter_monthly');

    // Act
    const dry = await reconcile(await w.deps(), { apply: false, user: user.sub, trigger: 'admin' });
    const applied = await reconcile(await w.deps(), { apply: true, user: user.sub, trigger: 'admin' });
    const after = await reconcile(await w.deps(), { apply: false, user: user.sub, trigger: 'admin' });

    // Assess
    expect(kindsBySub(dry.findings)).toEqual({ [user.sub]: ['entitlement-mismatch', 'groups-mismatch'] });
    expect(applied.findings).toEqual(dry.findings);
    expect(applied.repairs.failed).toBe(0);
    expect(after.findings).toEqual([]);
    expect(await managedGroupsOf(w, user.username)).toEqual(['starter']);
  });
});
