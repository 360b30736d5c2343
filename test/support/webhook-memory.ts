import { type SigningSecret, StripeSignatureVerifier } from '../../lambdas/adapters/stripe/stripe-signature';
import { DependencyUnavailableError } from '../../lambdas/domain/errors';
import type { ChargeRead } from '../../lambdas/domain/payment-facts';
import { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import type { WebhookEntitlementRecord } from '../../lambdas/domain/webhook-entitlement-record';
import type {
  EntitlementStore,
  GroupGateway,
  StripeCustomerRef,
  UserProfile,
  WriteOutcome,
} from '../../lambdas/ports/app-ports';
import type {
  AuditEntry,
  AuditLog,
  ParkedEvent,
  ParkedEventStore,
  SubscriptionSource,
  WebhookLedger,
} from '../../lambdas/ports/webhook-ports';
import type { DeliveryDeps } from '../../lambdas/use-cases/webhook/receive-delivery';
import { TEST_WEBHOOK_SECRET } from '../fixtures/stripe/builders';
import { appliedGroupsOf } from './memory-ports';

/** In-memory doubles of the webhook's ports, with call counters (the unit tests' "emulators"). */

export class MemoryEntitlements implements EntitlementStore {
  readonly items = new Map<string, WebhookEntitlementRecord>();
  calls = { get: 0, write: 0, setGroups: 0 };

  async get(sub: string) {
    this.calls.get += 1;
    const item = this.items.get(sub);
    return item ? structuredClone(item) : undefined;
  }
  async createIfAbsent(record: WebhookEntitlementRecord): Promise<WriteOutcome> {
    if (this.items.has(record.cognito_sub)) return 'conflict';
    this.items.set(record.cognito_sub, structuredClone(record));
    return 'written';
  }
  async writeIfVersion(record: WebhookEntitlementRecord, expectedVersion: number | null): Promise<WriteOutcome> {
    this.calls.write += 1;
    const stored = this.items.get(record.cognito_sub);
    if (expectedVersion === null ? stored !== undefined : stored?.entitlementsVersion !== expectedVersion) {
      return 'conflict';
    }
    const applied = appliedGroupsOf(stored);
    this.items.set(record.cognito_sub, structuredClone({ ...stored, ...record, ...applied }));
    return 'written';
  }
  async setCognitoGroups(
    sub: string,
    groups: string[],
    now: Date,
    expected?: number,
    expectedGroups?: number,
  ): Promise<WriteOutcome> {
    this.calls.setGroups += 1;
    const stored = this.items.get(sub);
    if (!stored || (expected !== undefined && stored.entitlementsVersion !== expected)) return 'conflict';
    if (expectedGroups !== undefined && (stored.cognitoGroupsVersion ?? 0) !== expectedGroups) return 'conflict';
    const { cognitoGroupsUnverified, ...rest } = stored;
    const cognitoGroupsVersion = (stored.cognitoGroupsVersion ?? 0) + 1;
    // Like the adapter: only a record conditional on the applied groups' version clears the unverified mark.
    const mark = expectedGroups === undefined && cognitoGroupsUnverified ? { cognitoGroupsUnverified } : {};
    this.items.set(sub, {
      ...rest,
      ...mark,
      cognitoGroups: [...groups],
      cognitoGroupsVersion,
      updatedAt: now.toISOString(),
    });
    return 'written';
  }
  async markCognitoGroupsUnverified(sub: string, now: Date): Promise<void> {
    const stored = this.items.get(sub);
    if (!stored) return;
    const cognitoGroupsVersion = (stored.cognitoGroupsVersion ?? 0) + 1;
    this.items.set(sub, {
      ...stored,
      cognitoGroupsUnverified: true,
      cognitoGroupsVersion,
      updatedAt: now.toISOString(),
    });
  }
}

export class MemoryProfiles {
  readonly items = new Map<string, UserProfile>();
  calls = { get: 0, index: 0 };

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
    return this.items.get(userId);
  }
  async findByStripeCustomerId(customerId: string) {
    this.calls.index += 1;
    return [...this.items.values()].filter((p) => p.stripeCustomerId === customerId);
  }
}

export class MemoryGroups implements GroupGateway {
  readonly members = new Map<string, Set<string>>();
  calls = { add: 0, remove: 0, list: 0 };
  /** Number of upcoming mutating calls that fail like a Cognito outage. */
  failNext = 0;

  private fail(action: string) {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new DependencyUnavailableError('cognito', `cognito ${action} failed (test outage)`);
    }
  }
  groupsOf(username: string): string[] {
    return [...(this.members.get(username) ?? [])].sort();
  }
  async addUserToGroup(username: string, group: string) {
    this.calls.add += 1;
    this.fail('add');
    this.members.set(username, new Set([...(this.members.get(username) ?? []), group]));
  }
  async removeUserFromGroup(username: string, group: string) {
    this.calls.remove += 1;
    this.fail('remove');
    this.members.get(username)?.delete(group);
  }
  async listGroupsForUser(username: string) {
    this.calls.list += 1;
    return this.groupsOf(username);
  }
}

/** Stripe as the webhook reads it: the customer's subscriptions (truth), customers and charges. */
export class FakeStripe implements SubscriptionSource {
  readonly subscriptions = new Map<string, Record<string, unknown>[]>();
  readonly customers = new Map<string, StripeCustomerRef>();
  readonly charges = new Map<string, string>();
  calls = { list: 0, customer: 0, charge: 0 };

  async listForCustomer(customerId: string) {
    this.calls.list += 1;
    return structuredClone(this.subscriptions.get(customerId) ?? []);
  }
  async retrieveCustomer(customerId: string) {
    this.calls.customer += 1;
    return this.customers.get(customerId);
  }
  /** Full reads by charge id; a charge only in `charges` reads as an unrefunded one-off charge of 9.00. */
  readonly chargeReads = new Map<string, Omit<ChargeRead, 'readAt'>>();
  async readCharge(chargeId: string) {
    this.calls.charge += 1;
    const read = this.chargeReads.get(chargeId);
    if (read) return structuredClone(read);
    const customerId = this.charges.get(chargeId);
    if (customerId === undefined) return undefined;
    return { chargeId, customerId, amount: 900, amountRefunded: 0, invoice: null };
  }
  total() {
    return this.calls.list + this.calls.customer + this.calls.charge;
  }
}

export class MemoryParked implements ParkedEventStore {
  readonly items = new Map<string, ParkedEvent>();
  async park(event: ParkedEvent) {
    if (!this.items.has(event.eventId)) this.items.set(event.eventId, structuredClone(event));
  }
  async listByCustomer(customerId: string) {
    return [...this.items.values()].filter((e) => e.stripeCustomerId === customerId);
  }
  async listAll() {
    return [...this.items.values()];
  }
  async remove(eventId: string) {
    this.items.delete(eventId);
  }
}

export class MemoryAudit implements AuditLog {
  readonly entries = new Map<string, AuditEntry>();
  async append(entry: AuditEntry) {
    const key = `${entry.userId}|${entry.entryId}`;
    if (!this.entries.has(key)) this.entries.set(key, entry);
  }
  forUser(userId: string) {
    return [...this.entries.values()]
      .filter((e) => e.userId === userId)
      .sort((a, b) => a.entryId.localeCompare(b.entryId));
  }
}

export class MemoryLedger implements WebhookLedger {
  readonly ids = new Set<string>();
  async has(eventId: string) {
    return this.ids.has(eventId);
  }
  async record(entry: { eventId: string }) {
    if (this.ids.has(entry.eventId)) return 'duplicate' as const;
    this.ids.add(entry.eventId);
    return 'recorded' as const;
  }
}

export const catalog = PlanCatalog.defaults();
/** 2026-01-10: inside the fixtures' billing period (2026-01-01 .. 2026-01-31). */
export const NOW = new Date('2026-01-10T00:00:00Z');

export function memoryDeps(overrides: Partial<DeliveryDeps> = {}) {
  const entitlements = new MemoryEntitlements();
  const profiles = new MemoryProfiles();
  const groups = new MemoryGroups();
  const stripe = new FakeStripe();
  const parked = new MemoryParked();
  const audit = new MemoryAudit();
  const ledger = new MemoryLedger();
  let now = NOW;
  const deps: DeliveryDeps = {
    entitlements,
    profiles,
    groups,
    stripe,
    parked,
    audit,
    ledger,
    catalog,
    policy: { gracePeriodDays: 7, paymentReversal: 'revoke' as const },
    clock: { now: () => now },
    verifier: verifierWith({ get: async () => TEST_WEBHOOK_SECRET, refresh: async () => TEST_WEBHOOK_SECRET }),
    ...overrides,
  };
  return {
    deps,
    entitlements,
    profiles,
    groups,
    stripe,
    parked,
    audit,
    ledger,
    setNow: (date: Date) => {
      now = date;
    },
  };
}

/** The production verifier (stripe-node on the raw body) over a given signing secret, at the tests' fixed time. */
export function verifierWith(secret: SigningSecret) {
  return new StripeSignatureVerifier(secret, { now: () => NOW });
}
