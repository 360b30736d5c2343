import { type CognitoUserSnapshot, linkedCustomerId, type ParkedEventRef, type UserSnapshot } from '../../domain/drift';
import type { UserProfile } from '../../domain/profile';
import { subFromMetadata } from '../../domain/stripe-events';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import type { SourceCustomer } from '../../ports/reconcile-ports';
import type { ReconcileDeps } from './reconcile-options';

/** A full run's reads: every side in bulk, then indexed so each user's snapshot costs no further call. */

export interface EverySide {
  /** When the reads started: Stripe's listing reflects every event before it. */
  listedAt: Date;
  users: CognitoUserSnapshot[];
  /** Usernames per managed group. */
  memberships: (readonly [string, string[]])[];
  profiles: UserProfile[];
  records: WebhookEntitlementRecord[];
  customers: SourceCustomer[];
  parked: ParkedEventRef[];
}

/** Bulk reads, all at once: a few paged calls per side instead of any call per user. */
export async function readEverySide(deps: Pick<ReconcileDeps, 'clock' | 'source' | 'catalog'>): Promise<EverySide> {
  const listedAt = deps.clock.now();
  const [users, memberships, profiles, records, customers, parked] = await Promise.all([
    deps.source.listUsers(),
    Promise.all(
      deps.catalog.managedGroups().map(async (group) => [group, await deps.source.groupMembers(group)] as const),
    ),
    deps.source.scanProfiles(),
    deps.source.scanEntitlements(),
    collect(deps.source.customers()),
    deps.source.parkedEvents(),
  ]);
  return { listedAt, users, memberships, profiles, records, customers, parked };
}

export interface UserIndex {
  /** Every sub any side knows, sorted: the order checkpoints follow. */
  subs: string[];
  /** The user's snapshot (customers filled in by the check) and the raw customers it may be linked to. */
  snapshotOf(sub: string): { snapshot: UserSnapshot; raw: Map<string, SourceCustomer> };
}

export function indexBySub(sides: EverySide): UserIndex {
  const groupsByUsername = new Map<string, string[]>();
  for (const [group, usernames] of sides.memberships) {
    for (const username of usernames)
      groupsByUsername.set(username, [...(groupsByUsername.get(username) ?? []), group]);
  }
  const usersBySub = new Map(sides.users.map((user) => [user.sub, user]));
  const profilesBySub = new Map(sides.profiles.map((profile) => [profile.userId, profile]));
  const recordsBySub = new Map(sides.records.map((record) => [record.cognito_sub, record]));
  const customersById = new Map(sides.customers.map((customer) => [customer.id, customer]));
  const customersBySub = new Map<string, SourceCustomer[]>();
  for (const customer of sides.customers) {
    const sub = subFromMetadata(customer.metadata);
    if (sub) customersBySub.set(sub, [...(customersBySub.get(sub) ?? []), customer]);
  }

  const snapshotOf = (sub: string): { snapshot: UserSnapshot; raw: Map<string, SourceCustomer> } => {
    const cognito = usersBySub.get(sub);
    const profile = profilesBySub.get(sub);
    const record = recordsBySub.get(sub);
    const own = new Map((customersBySub.get(sub) ?? []).map((customer) => [customer.id, customer]));
    const linked = linkedCustomerId({ profile, record });
    const linkedCustomer = linked ? customersById.get(linked) : undefined;
    if (linkedCustomer) own.set(linkedCustomer.id, linkedCustomer);
    return {
      snapshot: {
        sub,
        ...(cognito ? { cognito, cognitoGroups: groupsByUsername.get(cognito.username) ?? [] } : {}),
        ...(profile ? { profile } : {}),
        ...(record ? { record } : {}),
        customers: [],
      },
      raw: own,
    };
  };
  const subs = [...new Set([...usersBySub.keys(), ...profilesBySub.keys(), ...recordsBySub.keys()])].sort();
  return { subs, snapshotOf };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
