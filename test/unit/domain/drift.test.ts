import { describe, expect, it } from 'vitest';
import {
  type DriftContext,
  needsCompleteSubscriptionList,
  planUser,
  preferredCustomer,
  type StripeCustomerSnapshot,
  sameEntitlement,
  type UserSnapshot,
} from '../../../lambdas/domain/drift';
import { freeEntitlement } from '../../../lambdas/domain/entitlement';
import { catalog, proSubscription, reportingContext, syncedUser } from './drift-fixtures';

const ctx: DriftContext = reportingContext;

/** A user in sync: confirmed, profile linked to cus_1, free record, in the free group. */
const base: UserSnapshot = syncedUser();
const customer: StripeCustomerSnapshot = base.customers[0] as StripeCustomerSnapshot;

const kinds = (snapshot: UserSnapshot) => planUser(snapshot, ctx).findings.map((f) => f.kind);
const actionTypes = (snapshot: UserSnapshot) => planUser(snapshot, ctx).actions.map((a) => a.type);

describe('planUser', () => {
  it('finds nothing for a user in sync', () => {
    // Act
    const plan = planUser(structuredClone(base), ctx);

    // Assess
    expect(plan).toEqual({ sub: 'sub-1', findings: [], actions: [] });
  });

  it('reports a profile without a Cognito user and repairs nothing', () => {
    // Prepare
    const snapshot = structuredClone(base);
    delete snapshot.cognito;

    // Act
    const plan = planUser(snapshot, ctx);

    // Assess
    expect(plan.findings.map((f) => [f.kind, f.repair])).toEqual([['orphaned-profile', 'report-only']]);
    expect(plan.actions).toEqual([]);
  });

  it('leaves unconfirmed Cognito users alone', () => {
    // Prepare
    const snapshot = structuredClone(base);
    delete snapshot.profile;
    delete snapshot.record;
    if (snapshot.cognito) snapshot.cognito.status = 'UNCONFIRMED';

    // Act + Assess
    expect(planUser(snapshot, ctx)).toEqual({ sub: 'sub-1', findings: [], actions: [] });
  });

  it('provisions a confirmed user without a profile, then creates a customer and adds the free group', () => {
    // Prepare
    const snapshot = structuredClone(base);
    delete snapshot.profile;
    delete snapshot.record;
    snapshot.customers = [];
    snapshot.cognitoGroups = [];

    // Act
    const plan = planUser(snapshot, ctx);

    // Assess
    expect(plan.findings.map((f) => f.kind)).toEqual(['missing-profile', 'missing-stripe-customer', 'groups-mismatch']);
    expect(plan.actions.map((a) => a.type)).toEqual([
      'provision-user',
      'create-customer',
      'recompute-entitlement',
      'sync-groups',
    ]);
    expect(plan.actions[3]).toMatchObject({ add: ['free'], remove: [] });
  });

  it('links the customer that has subscriptions when the profile has none, and reports duplicates', () => {
    // Prepare
    const snapshot = structuredClone(base);
    delete snapshot.profile?.stripeCustomerId;
    delete snapshot.record?.stripeCustomerId;
    const older = { ...structuredClone(customer), id: 'cus_old', created: 1_600_000_000 };
    const paying = {
      ...structuredClone(customer),
      id: 'cus_paying',
      subscriptions: [{ ...proSubscription, customerId: 'cus_paying' }],
    };
    snapshot.customers = [older, paying];

    // Act
    const plan = planUser(snapshot, ctx);

    // Assess
    expect(plan.findings.map((f) => f.kind)).toEqual([
      'missing-stripe-customer',
      'duplicate-stripe-customers',
      'entitlement-mismatch',
      'groups-mismatch',
    ]);
    expect(plan.actions[0]).toEqual({ type: 'link-customer', customerId: 'cus_paying' });
    expect(plan.findings[1]?.repair).toBe('report-only');
    expect(plan.findings[1]?.detail).toContain('kept cus_paying');
  });

  it('recomputes when Stripe gives another plan, and moves the groups with it', () => {
    // Prepare
    const snapshot = structuredClone(base);
    snapshot.customers = [{ ...structuredClone(customer), subscriptions: [proSubscription] }];

    // Act
    const plan = planUser(snapshot, ctx);

    // Assess
    expect(plan.findings.map((f) => f.kind)).toEqual(['entitlement-mismatch', 'groups-mismatch']);
    expect(plan.actions[0]).toMatchObject({ type: 'recompute-entitlement', customerId: 'cus_1', to: { plan: 'pro' } });
    expect(plan.actions[1]).toMatchObject({ type: 'sync-groups', add: ['pro'], remove: ['free'] });
  });

  it('downgrades a no-card trial that has ended, and keeps one that is running', () => {
    // Prepare
    const trial = (endsAt: string): UserSnapshot => {
      const snapshot = structuredClone(base);
      if (!snapshot.record) throw new Error('fixture');
      Object.assign(snapshot.record, {
        status: 'trialing',
        plan: 'trial',
        entitled: true,
        features: [...catalog.plan('trial').features],
        groups: ['trial'],
        cognitoGroups: ['trial'],
        trialEndsAt: endsAt,
      });
      snapshot.cognitoGroups = ['trial'];
      return snapshot;
    };

    // Act + Assess
    expect(kinds(trial('2026-05-31T00:00:00Z'))).toEqual(['period-ended', 'groups-mismatch']);
    expect(kinds(trial('2026-06-05T00:00:00Z'))).toEqual([]);
  });

  it('repairs hand-edited Cognito groups against the real membership, managed groups only', () => {
    // Prepare
    const snapshot = structuredClone(base);
    snapshot.cognitoGroups = ['enterprise', 'admins'];

    // Act
    const plan = planUser(snapshot, ctx);

    // Assess
    expect(plan.findings.map((f) => f.kind)).toEqual(['groups-mismatch']);
    expect(plan.actions).toEqual([
      {
        type: 'sync-groups',
        username: 'sub-1',
        current: ['enterprise'],
        desired: ['free'],
        add: ['free'],
        remove: ['enterprise'],
      },
    ]);
  });

  it('records the groups when only the recorded set is stale', () => {
    // Prepare
    const snapshot = structuredClone(base);
    if (snapshot.record) snapshot.record.cognitoGroups = [];

    // Act + Assess
    expect(actionTypes(snapshot)).toEqual(['sync-groups']);
  });
});

describe('drift helpers', () => {
  it('asks for the complete subscription list when a stored live subscription is missing from Stripe', () => {
    // Prepare
    const record = structuredClone(base.record);
    if (!record) throw new Error('fixture');
    const stored = { ...proSubscription, plan: 'pro' as const, eventCreated: 1, eventId: 'evt_1' };
    const withStored = {
      ...record,
      subscriptions: {
        sub_pro: {
          id: 'sub_pro',
          status: 'active' as const,
          plan: 'pro' as const,
          priceLabel: 'pro_monthly',
          currentPeriodStart: null,
          currentPeriodEnd: null,
          trialEnd: null,
          cancelAtPeriodEnd: false,
          eventCreated: stored.eventCreated,
          eventId: stored.eventId,
        },
      },
    };

    // Act + Assess
    expect(needsCompleteSubscriptionList(customer, withStored)).toBe(true);
    expect(needsCompleteSubscriptionList({ ...customer, subscriptions: [proSubscription] }, withStored)).toBe(false);
    expect(needsCompleteSubscriptionList({ ...customer, complete: true }, withStored)).toBe(false);
    expect(needsCompleteSubscriptionList(customer, record)).toBe(false);
  });

  it('treats two free states with different status labels as the same', () => {
    expect(sameEntitlement(freeEntitlement(catalog, 'none'), freeEntitlement(catalog, 'canceled'))).toBe(true);
    expect(sameEntitlement(freeEntitlement(catalog), { ...freeEntitlement(catalog), groups: ['pro'] })).toBe(false);
  });

  it('prefers customers with subscriptions, then the oldest', () => {
    const a = { ...customer, id: 'cus_a', created: 2 };
    const b = { ...customer, id: 'cus_b', created: 1 };
    const c = { ...customer, id: 'cus_c', created: 3, subscriptions: [proSubscription] };
    expect(preferredCustomer([a, b])?.id).toBe('cus_b');
    expect(preferredCustomer([a, b, c])?.id).toBe('cus_c');
    expect(preferredCustomer([])).toBeUndefined();
  });
});
