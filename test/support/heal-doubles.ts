import type { AuditEntry } from '../../lambdas/domain/audit-entry';
import type { CognitoUserSnapshot } from '../../lambdas/domain/drift';
import type { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import type { Clock } from '../../lambdas/ports/app-ports';
import type { SourceCustomer, UserRepairSource } from '../../lambdas/ports/reconcile-ports';
import type { AuditLog } from '../../lambdas/ports/webhook-ports';
import { type HealUser, healUser } from '../../lambdas/use-cases/reconcile/heal-user';
import type { MemoryCustomerGateway } from './fakes/customer-gateway';
import type { MemoryEntitlementStore } from './fakes/entitlement-store';
import type { MemoryGroupGateway } from './fakes/group-gateway';
import type { MemoryProfileStore } from './fakes/profile-store';

/**
 * The healing use case over the frontend routes' memory doubles: Cognito users by sub, their groups from
 * MemoryGroupGateway, Stripe customers (with raw subscription objects) plus every customer MemoryCustomerGateway created.
 */
export class MemoryUserSource implements UserRepairSource {
  readonly users = new Map<string, CognitoUserSnapshot>();
  readonly stripeCustomers: SourceCustomer[] = [];
  /** Stripe reads made (customer lists and subscription lists). */
  stripeReads = 0;
  constructor(
    private readonly groups: MemoryGroupGateway,
    private readonly created: MemoryCustomerGateway,
  ) {}

  /** A confirmed email user (username = sub). */
  addUser(sub: string, email: string, extra: Partial<CognitoUserSnapshot> = {}): CognitoUserSnapshot {
    const user = {
      sub,
      username: sub,
      email,
      emailVerified: true,
      identityProvider: 'cognito',
      status: 'CONFIRMED',
      ...extra,
    };
    this.users.set(sub, user);
    return user;
  }

  async findUser(sub: string) {
    return this.users.get(sub);
  }
  async groupsOfUser(username: string) {
    return this.groups.listGroupsForUser(username);
  }
  async customersForUser(input: { sub: string; email?: string; linkedId?: string }) {
    this.stripeReads += 1;
    const createdOnes: SourceCustomer[] = [...this.created.byKey.values()].map((c) => ({
      id: c.id,
      metadata: c.metadata,
      created: 0,
      subscriptions: [],
      complete: false,
    }));
    return [...this.stripeCustomers, ...createdOnes].filter(
      (c) => c.id === input.linkedId || (c.metadata.cognito_sub === input.sub && input.email !== undefined),
    );
  }
  async allSubscriptions(customerId: string) {
    this.stripeReads += 1;
    return this.stripeCustomers.find((c) => c.id === customerId)?.subscriptions ?? [];
  }
}

class ListAudit implements AuditLog {
  readonly entries: AuditEntry[] = [];
  async append(entry: AuditEntry) {
    this.entries.push(entry);
  }
}

export interface HealPorts {
  profiles: MemoryProfileStore;
  entitlements: MemoryEntitlementStore;
  groups: MemoryGroupGateway;
  customers: MemoryCustomerGateway;
  catalog: PlanCatalog;
  clock: Clock;
}

/** The real heal use case over the memory ports, with its source to seed Cognito users and Stripe customers. */
export function memoryHealer(ports: HealPorts): { heal: HealUser; source: MemoryUserSource; calls: string[] } {
  const source = new MemoryUserSource(ports.groups, ports.customers);
  const calls: string[] = [];
  const deps = {
    ...ports,
    source,
    audit: new ListAudit(),
    policy: { gracePeriodDays: 7, paymentReversal: 'revoke' as const },
  };
  return {
    source,
    calls,
    heal: async (sub) => {
      calls.push(sub);
      return healUser(deps, sub);
    },
  };
}

/** A raw Stripe subscription (basil shape: the period on the item) active on the price with `lookupKey`. */
export function activeSubscription(id: string, customer: string, lookupKey: string): Record<string, unknown> {
  const start = Math.floor(new Date('2030-01-01T00:00:00.000Z').getTime() / 1000);
  return {
    id,
    object: 'subscription',
    customer,
    status: 'active',
    cancel_at_period_end: false,
    created: start,
    metadata: {},
    items: {
      data: [
        {
          id: `si_${id}`,
          price: { id: `price_${lookupKey}`, lookup_key: lookupKey, metadata: {} },
          current_period_start: start,
          current_period_end: start + 31 * 86_400,
        },
      ],
    },
  };
}
