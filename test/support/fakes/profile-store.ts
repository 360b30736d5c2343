import type { DeletionMark } from '../../../lambdas/domain/account-deletion';
import { sameEmail } from '../../../lambdas/domain/email';
import type { ProfileCleanup } from '../../../lambdas/ports/account-ports';
import type { ProfileInput, ProfileStore, UserProfile } from '../../../lambdas/ports/app-ports';

/**
 * The UserProfiles table in memory, with DynamoProfileStore's semantics: reads are copies, upserts never overwrite
 * a stored customer id or createdAt, a link keeps the customer already stored, the deletion mark is set once.
 * `failWith` makes every call but the index lookup by customer fail; `calls` counts reads.
 */
export class MemoryProfileStore implements ProfileStore, ProfileCleanup {
  readonly items = new Map<string, UserProfile>();
  /** When set, every call but the index lookup by customer fails with it. */
  failWith: Error | undefined;
  calls = { get: 0, index: 0 };

  /** Stores a confirmed native user's profile (`<userId>@example.com`), optionally linked to a customer. */
  add(userId: string, stripeCustomerId?: string, cognitoUsername = `user-${userId}`): UserProfile {
    const profile: UserProfile = {
      userId,
      cognitoUsername,
      email: `${userId}@example.com`,
      emailVerified: true,
      identityProvider: 'cognito',
      ...(stripeCustomerId ? { stripeCustomerId } : {}),
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    this.items.set(userId, profile);
    return profile;
  }
  async get(userId: string) {
    this.calls.get += 1;
    this.check();
    const item = this.items.get(userId);
    return item ? structuredClone(item) : undefined;
  }
  async findByEmail(email: string) {
    this.check();
    return [...this.items.values()].filter((p) => sameEmail(p.email, email));
  }
  async findByStripeCustomerId(id: string) {
    this.calls.index += 1;
    return [...this.items.values()].filter((p) => p.stripeCustomerId === id);
  }
  async upsert(input: ProfileInput, now: Date) {
    this.check();
    const existing = this.items.get(input.userId);
    const profile = {
      ...existing,
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
      stripeCustomerId: existing?.stripeCustomerId ?? input.stripeCustomerId,
      createdAt: existing?.createdAt ?? now.toISOString(),
      updatedAt: now.toISOString(),
    } as UserProfile;
    if (profile.stripeCustomerId === undefined) delete profile.stripeCustomerId;
    this.items.set(input.userId, profile);
    return structuredClone(profile);
  }
  async linkStripeCustomer(userId: string, customerId: string) {
    this.check();
    const profile = this.items.get(userId);
    if (!profile) return undefined;
    profile.stripeCustomerId ??= customerId;
    return profile.stripeCustomerId;
  }
  async unlinkStripeCustomer(userId: string, customerId: string) {
    this.check();
    const profile = this.items.get(userId);
    if (profile?.stripeCustomerId !== customerId) return false;
    delete profile.stripeCustomerId;
    return true;
  }
  async markDeletion(userId: string, mark: DeletionMark) {
    const profile = this.items.get(userId);
    if (!profile) return undefined;
    profile.deletion ??= { ...mark };
    return { ...profile.deletion };
  }
  async remove(userId: string) {
    this.items.delete(userId);
  }
  private check() {
    if (this.failWith) throw this.failWith;
  }
}
