import type { EntitlementRecord } from '../../../lambdas/core/entitlement';
import type {
  CustomerGateway,
  EntitlementStore,
  GroupGateway,
  ProfileInput,
  ProfileStore,
  StripeCustomerRef,
  UserProfile,
  WriteOutcome,
} from '../../../lambdas/core/ports';
import { DependencyUnavailableError } from '../../../lambdas/shared/errors';

/** In-memory ports with the adapters' semantics (if_not_exists on customer id, conditional creates). */

export class MemoryProfiles implements ProfileStore {
  readonly items = new Map<string, UserProfile>();
  failWith: Error | undefined;

  async get(userId: string) {
    this.check();
    return this.items.get(userId);
  }
  async findByEmail(email: string) {
    this.check();
    return [...this.items.values()].filter((p) => p.email === email);
  }
  async findByStripeCustomerId(id: string) {
    return [...this.items.values()].filter((p) => p.stripeCustomerId === id);
  }
  async upsert(input: ProfileInput, now: Date) {
    this.check();
    const existing = this.items.get(input.userId);
    const profile: UserProfile = {
      ...existing,
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
      stripeCustomerId: existing?.stripeCustomerId ?? input.stripeCustomerId,
      createdAt: existing?.createdAt ?? now.toISOString(),
      updatedAt: now.toISOString(),
    } as UserProfile;
    if (profile.stripeCustomerId === undefined) delete profile.stripeCustomerId;
    this.items.set(input.userId, profile);
    return profile;
  }
  async linkStripeCustomer(userId: string, id: string) {
    this.check();
    const profile = this.items.get(userId);
    if (!profile) return undefined;
    if (!profile.stripeCustomerId) profile.stripeCustomerId = id;
    return profile.stripeCustomerId;
  }
  private check() {
    if (this.failWith) throw this.failWith;
  }
}

export class MemoryEntitlements implements EntitlementStore {
  readonly items = new Map<string, EntitlementRecord>();
  creates = 0;
  async get(sub: string) {
    const item = this.items.get(sub);
    return item ? structuredClone(item) : undefined;
  }
  async createIfAbsent(record: EntitlementRecord): Promise<WriteOutcome> {
    this.creates += 1;
    if (this.items.has(record.cognito_sub)) return 'conflict';
    this.items.set(record.cognito_sub, structuredClone(record));
    return 'written';
  }
  async writeIfVersion(record: EntitlementRecord): Promise<WriteOutcome> {
    this.items.set(record.cognito_sub, structuredClone(record));
    return 'written';
  }
  async setCognitoGroups(sub: string, groups: string[]) {
    const item = this.items.get(sub);
    if (item) item.cognitoGroups = [...groups];
  }
}

export class MemoryGroups implements GroupGateway {
  readonly members = new Map<string, Set<string>>();
  readonly calls: string[] = [];
  async addUserToGroup(username: string, group: string) {
    this.calls.push(`add ${username} ${group}`);
    const set = this.members.get(username) ?? new Set<string>();
    set.add(group);
    this.members.set(username, set);
  }
  async removeUserFromGroup(username: string, group: string) {
    this.calls.push(`remove ${username} ${group}`);
    this.members.get(username)?.delete(group);
  }
  async listGroupsForUser(username: string) {
    return [...(this.members.get(username) ?? [])];
  }
}

/** Stripe customer double: honours the sub-derived idempotency key like Stripe does; can be switched off. */
export class StripeCustomersDouble implements CustomerGateway {
  readonly created: Array<{ sub: string; email: string; name?: string }> = [];
  private readonly byKey = new Map<string, StripeCustomerRef>();
  down = false;
  async createForUser(user: { sub: string; email: string; name?: string }) {
    if (this.down)
      throw new DependencyUnavailableError('stripe', 'stripe customer create failed (StripeConnectionError)');
    const key = `customer-for-${user.sub}`;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    this.created.push(user);
    const customer = { id: `cus_${this.created.length}`, email: user.email, metadata: { cognito_sub: user.sub } };
    this.byKey.set(key, customer);
    return customer;
  }
  async retrieve(id: string) {
    return [...this.byKey.values()].find((c) => c.id === id);
  }
}

export const fixedClock = { now: () => new Date('2026-11-01T12:00:00.000Z') };
