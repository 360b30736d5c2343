import { sameEmail } from '../../lambdas/domain/email';
import type { EntitlementRecord } from '../../lambdas/domain/entitlement';
import { DependencyUnavailableError } from '../../lambdas/domain/errors';
import type {
  CustomerGateway,
  EntitlementStore,
  GroupGateway,
  ProfileInput,
  ProfileStore,
  StripeCustomerRef,
  UserProfile,
  WriteOutcome,
} from '../../lambdas/ports/app-ports';

/**
 * In-memory ports for unit tests, with the real adapters' semantics: profile upserts never overwrite a stored
 * customer id or createdAt, entitlement writes are conditional on the version read, Stripe customer creation
 * honours the sub-derived idempotency key. Integration tests cover the real adapters against the emulators.
 */

export class MemoryProfiles implements ProfileStore {
  readonly items = new Map<string, UserProfile>();
  /** When set, every call but the index lookup by customer fails with it. */
  failWith: Error | undefined;

  async get(userId: string) {
    this.check();
    const item = this.items.get(userId);
    return item ? structuredClone(item) : undefined;
  }
  async findByEmail(email: string) {
    this.check();
    return [...this.items.values()].filter((p) => sameEmail(p.email, email));
  }
  async findByStripeCustomerId(id: string) {
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
  private check() {
    if (this.failWith) throw this.failWith;
  }
}

/** Like the adapter: an update never writes the applied groups (setCognitoGroups owns them). */
export function appliedGroupsOf(stored: EntitlementRecord | undefined): Partial<EntitlementRecord> {
  if (!stored) return {};
  const { cognitoGroups, cognitoGroupsVersion, cognitoGroupsUnverified } = stored;
  return {
    cognitoGroups,
    ...(cognitoGroupsVersion === undefined ? {} : { cognitoGroupsVersion }),
    ...(cognitoGroupsUnverified === undefined ? {} : { cognitoGroupsUnverified }),
  };
}

export class MemoryEntitlements implements EntitlementStore {
  readonly items = new Map<string, EntitlementRecord>();
  /** Successful writes of any kind, and createIfAbsent calls (won or lost). */
  writes = 0;
  creates = 0;
  async get(sub: string) {
    const item = this.items.get(sub);
    return item ? structuredClone(item) : undefined;
  }
  async createIfAbsent(record: EntitlementRecord): Promise<WriteOutcome> {
    this.creates += 1;
    if (this.items.has(record.cognito_sub)) return 'conflict';
    this.items.set(record.cognito_sub, structuredClone(record));
    this.writes += 1;
    return 'written';
  }
  async writeIfVersion(record: EntitlementRecord, expected: number | null): Promise<WriteOutcome> {
    const current = this.items.get(record.cognito_sub);
    if (expected === null ? current !== undefined : current?.entitlementsVersion !== expected) return 'conflict';
    this.items.set(record.cognito_sub, structuredClone({ ...record, ...appliedGroupsOf(current) }));
    this.writes += 1;
    return 'written';
  }
  async setCognitoGroups(
    sub: string,
    groups: string[],
    _now: Date,
    expected?: number,
    expectedGroups?: number,
  ): Promise<WriteOutcome> {
    const current = this.items.get(sub);
    if (!current || (expected !== undefined && current.entitlementsVersion !== expected)) return 'conflict';
    if (expectedGroups !== undefined && (current.cognitoGroupsVersion ?? 0) !== expectedGroups) return 'conflict';
    current.cognitoGroups = [...groups];
    current.cognitoGroupsVersion = (current.cognitoGroupsVersion ?? 0) + 1;
    if (expectedGroups !== undefined) delete current.cognitoGroupsUnverified;
    return 'written';
  }
  async markCognitoGroupsUnverified(sub: string): Promise<void> {
    const current = this.items.get(sub);
    if (!current) return;
    current.cognitoGroupsUnverified = true;
    current.cognitoGroupsVersion = (current.cognitoGroupsVersion ?? 0) + 1;
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

/** Stripe customers: the key `customer-for-<sub>` returns the same customer, like Stripe; `down` simulates an outage. */
export class MemoryCustomers implements CustomerGateway {
  readonly byKey = new Map<string, StripeCustomerRef>();
  /** Every create request (replays included) and the distinct customers actually created. */
  creates = 0;
  readonly created: Array<{ sub: string; email: string; name?: string }> = [];
  down = false;
  async createForUser(user: { sub: string; email: string; name?: string }) {
    if (this.down)
      throw new DependencyUnavailableError('stripe', 'stripe customer create failed (StripeConnectionError)');
    this.creates += 1;
    const key = `customer-for-${user.sub}`;
    let customer = this.byKey.get(key);
    if (!customer) {
      this.created.push(user);
      customer = { id: `cus_${this.byKey.size + 1}`, email: user.email, metadata: { cognito_sub: user.sub } };
      this.byKey.set(key, customer);
    }
    return customer;
  }
  async retrieve(id: string) {
    return [...this.byKey.values()].find((c) => c.id === id);
  }
}
