import { describe, expect, it } from 'vitest';
import type { UserProfile } from '../../../../lambdas/ports/app-ports';
import { resolveStripeUser } from '../../../../lambdas/use-cases/webhook/resolve-stripe-user';
import { MemoryAccountTombstoneStore } from '../../../support/fakes/account-tombstone-store';

const profile: UserProfile = {
  userId: 'sub-1',
  cognitoUsername: 'sub-1',
  email: 'a@example.com',
  emailVerified: true,
  identityProvider: 'cognito',
  stripeCustomerId: 'cus_1',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

function deps(profiles: UserProfile[], tombstones = new MemoryAccountTombstoneStore()) {
  return {
    entitlements: { get: async () => undefined },
    profiles: {
      get: async (sub: string) => profiles.find((p) => p.userId === sub),
      findByStripeCustomerId: async (id: string) => profiles.filter((p) => p.stripeCustomerId === id),
    },
    stripe: { retrieveCustomer: async () => undefined },
    tombstones,
  };
}

describe('resolveStripeUser and deleted accounts', () => {
  it('answers deleted for the customer of an account whose deletion is under way (profile marked)', async () => {
    // Prepare
    const marked = { ...profile, deletion: { requestedAt: '2026-05-01T00:00:00Z', trigger: 'user' as const } };
    // Act
    const resolution = await resolveStripeUser(deps([marked]), { customerId: 'cus_1', metadataSub: 'sub-1' });
    // Assess
    expect(resolution).toEqual({ kind: 'deleted', reason: 'the account of sub-1 is being deleted' });
  });

  it('answers deleted, not unresolved, once the rows are gone and the customer has a tombstone', async () => {
    // Prepare
    const tombstones = new MemoryAccountTombstoneStore();
    await tombstones.markCustomerDeleted('cus_1', 'sub-1');
    // Act
    const named = await resolveStripeUser(deps([], tombstones), { customerId: 'cus_1', metadataSub: 'sub-1' });
    const unnamed = await resolveStripeUser(deps([], tombstones), { customerId: 'cus_1' });
    // Assess
    expect(named).toEqual({ kind: 'deleted', reason: 'the account of this customer was deleted' });
    expect(unnamed.kind).toBe('deleted');
  });

  it('still parks (unresolved) an event for a customer no deleted account had', async () => {
    // Act
    const resolution = await resolveStripeUser(deps([]), { customerId: 'cus_2', metadataSub: 'sub-2' });
    // Assess
    expect(resolution.kind).toBe('unresolved');
  });

  it('resolves a live account as before', async () => {
    // Act
    const resolution = await resolveStripeUser(deps([profile]), { customerId: 'cus_1', metadataSub: 'sub-1' });
    // Assess
    expect(resolution).toMatchObject({ kind: 'resolved', sub: 'sub-1' });
  });
});
