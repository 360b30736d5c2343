import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { BillingGateway, CheckoutSessionInput } from '../../../lambdas/core/billing';
import { type EntitlementRecord, initialEntitlementRecord } from '../../../lambdas/core/entitlement';
import { PlanCatalog } from '../../../lambdas/core/plan-catalog';
import type {
  Clock,
  CustomerGateway,
  EntitlementStore,
  GroupGateway,
  ProfileInput,
  ProfileStore,
  StripeCustomerRef,
  UserProfile,
  WriteOutcome,
} from '../../../lambdas/core/ports';

/** Hand doubles of the frontend routes' ports, with the same semantics as the real adapters. */

export const catalog = PlanCatalog.defaults();
export const NOW = new Date('2030-01-15T12:00:00.000Z');
export const SUB = '11111111-2222-3333-4444-555555555555';

export function fixedClock(at: Date = NOW): Clock & { at: Date } {
  const clock = { at, now: () => new Date(clock.at.getTime()) };
  return clock;
}

export class MemoryProfiles implements ProfileStore {
  readonly items = new Map<string, UserProfile>();
  async get(userId: string) {
    const item = this.items.get(userId);
    return item ? structuredClone(item) : undefined;
  }
  async findByEmail(email: string) {
    return [...this.items.values()].filter((p) => p.email === email);
  }
  async findByStripeCustomerId(id: string) {
    return [...this.items.values()].filter((p) => p.stripeCustomerId === id);
  }
  async upsert(input: ProfileInput, now: Date) {
    const existing = this.items.get(input.userId);
    const profile: UserProfile = {
      ...input,
      stripeCustomerId: existing?.stripeCustomerId ?? input.stripeCustomerId,
      createdAt: existing?.createdAt ?? now.toISOString(),
      updatedAt: now.toISOString(),
    };
    if (profile.stripeCustomerId === undefined) delete profile.stripeCustomerId;
    this.items.set(input.userId, profile);
    return structuredClone(profile);
  }
  async linkStripeCustomer(userId: string, customerId: string) {
    const existing = this.items.get(userId);
    if (!existing) return undefined;
    existing.stripeCustomerId ??= customerId;
    return existing.stripeCustomerId;
  }
}

export class MemoryEntitlements implements EntitlementStore {
  readonly items = new Map<string, EntitlementRecord>();
  writes = 0;
  async get(sub: string) {
    const item = this.items.get(sub);
    return item ? structuredClone(item) : undefined;
  }
  async createIfAbsent(record: EntitlementRecord): Promise<WriteOutcome> {
    if (this.items.has(record.cognito_sub)) return 'conflict';
    this.items.set(record.cognito_sub, structuredClone(record));
    this.writes += 1;
    return 'written';
  }
  async writeIfVersion(record: EntitlementRecord, expected: number | null): Promise<WriteOutcome> {
    const current = this.items.get(record.cognito_sub);
    if (expected === null ? current !== undefined : current?.entitlementsVersion !== expected) return 'conflict';
    this.items.set(record.cognito_sub, structuredClone(record));
    this.writes += 1;
    return 'written';
  }
  async setCognitoGroups(sub: string, groups: string[]) {
    const current = this.items.get(sub);
    if (current) current.cognitoGroups = [...groups];
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

/** Honours the idempotency key `customer-for-<sub>` like Stripe: the same key returns the same customer. */
export class MemoryCustomers implements CustomerGateway {
  readonly byKey = new Map<string, StripeCustomerRef>();
  creates = 0;
  async createForUser(user: { sub: string; email: string; name?: string }) {
    this.creates += 1;
    const key = `customer-for-${user.sub}`;
    let customer = this.byKey.get(key);
    if (!customer) {
      customer = { id: `cus_${this.byKey.size + 1}`, email: user.email, metadata: { cognito_sub: user.sub } };
      this.byKey.set(key, customer);
    }
    return customer;
  }
  async retrieve(id: string) {
    return [...this.byKey.values()].find((c) => c.id === id);
  }
}

export class MemoryBilling implements BillingGateway {
  prices: Record<string, string> = {
    starter_monthly: 'price_starter_m',
    starter_yearly: 'price_starter_y',
    pro_monthly: 'price_pro_m',
    pro_yearly: 'price_pro_y',
    business_monthly: 'price_business_m',
    business_yearly: 'price_business_y',
    enterprise_monthly: 'price_enterprise_m',
    enterprise_yearly: 'price_enterprise_y',
  };
  readonly checkouts: CheckoutSessionInput[] = [];
  readonly portals: { customerId: string; returnUrl: string }[] = [];
  failWith: Error | undefined;
  async priceIdForLookupKey(key: string) {
    if (this.failWith) throw this.failWith;
    return this.prices[key];
  }
  async createCheckoutSession(input: CheckoutSessionInput) {
    if (this.failWith) throw this.failWith;
    this.checkouts.push(input);
    return { id: 'cs_test_1', url: 'https://checkout.stripe.com/c/pay/cs_test_1' };
  }
  async createPortalSession(input: { customerId: string; returnUrl: string }) {
    if (this.failWith) throw this.failWith;
    this.portals.push(input);
    return { url: 'https://billing.stripe.com/p/session/test_1' };
  }
}

export const baseProfile: UserProfile = {
  userId: SUB,
  cognitoUsername: SUB,
  email: 'alice@example.com',
  emailVerified: true,
  givenName: 'Alice',
  familyName: 'Liddell',
  identityProvider: 'cognito',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
};

/** A free user's record whose groups are applied in Cognito. */
export function baseRecord(): EntitlementRecord {
  return {
    ...initialEntitlementRecord(
      catalog,
      { sub: SUB, cognitoUsername: SUB, email: 'alice@example.com' },
      new Date('2030-01-01T00:00:00.000Z'),
    ),
    cognitoGroups: ['free'],
  };
}

/** A record with an active paid `pro` subscription. */
export function proRecord(): EntitlementRecord {
  return {
    ...baseRecord(),
    status: 'active',
    plan: 'pro',
    entitled: true,
    features: [...catalog.plan('pro').features],
    groups: ['pro'],
    cognitoGroups: ['pro'],
    currentPeriodEnd: '2030-02-01T00:00:00.000Z',
    stripeCustomerId: 'cus_existing',
    subscriptionIds: ['sub_1'],
    entitlementsVersion: 4,
  };
}

export interface EventOptions {
  claims?: Record<string, unknown> | null;
  body?: string;
  isBase64Encoded?: boolean;
  method?: string;
  path?: string;
}

const baseClaims = {
  sub: SUB,
  email: 'alice@example.com',
  email_verified: 'true',
  'cognito:username': SUB,
  'cognito:groups': '[free]',
  given_name: 'Alice',
  family_name: 'Liddell',
};

/** An API Gateway v2 event as the JWT authorizer delivers it (array claims as "[a b]" strings). */
export function jwtEvent(options: EventOptions = {}): APIGatewayProxyEventV2 {
  const claims = options.claims === null ? undefined : { ...baseClaims, ...options.claims };
  return {
    version: '2.0',
    routeKey: `${options.method ?? 'GET'} ${options.path ?? '/'}`,
    rawPath: options.path ?? '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(options.body !== undefined ? { body: options.body } : {}),
    requestContext: {
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

export function bodyOf(result: {
  body: string;
}): Record<string, unknown> & { error?: { code: string; message: string } } {
  return JSON.parse(result.body);
}
