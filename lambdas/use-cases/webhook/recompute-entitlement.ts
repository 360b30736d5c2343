import { type Entitlement, entitlementOf, initialEntitlementRecord } from '../../domain/entitlement';
import {
  computeEntitlement,
  type EntitlementPolicy,
  keepRunningNoCardTrial,
  type WebhookEntitlementRecord,
} from '../../domain/entitlement-policy';
import { DependencyUnavailableError } from '../../domain/errors';
import { type CustomerState, customerStateOf, withStripeSubscriptions } from '../../domain/event-ordering';
import { diffManagedGroups } from '../../domain/groups';
import type { PlanCatalog } from '../../domain/plan-catalog';
import {
  InvalidStripeEventError,
  type NormalisedSubscription,
  normaliseSubscription,
} from '../../domain/stripe-events';
import { logger } from '../../platform/logger';
import type { Clock, EntitlementStore, GroupGateway, ProfileStore, UserProfile } from '../../ports/app-ports';
import type { AuditEntry, AuditLog } from '../../ports/webhook-ports';
import { type GroupChange, syncCognitoGroups } from '../entitlement/sync-cognito-groups';

/** What writing a customer's entitlement needs (a subset of the webhook's deps; reconcile builds it too). */
export interface EntitlementWriterDeps {
  entitlements: EntitlementStore;
  profiles: Pick<ProfileStore, 'get'>;
  groups: GroupGateway;
  audit: AuditLog;
  catalog: PlanCatalog;
  policy: EntitlementPolicy;
  clock: Clock;
  /** Lost conditional-write races tolerated before answering 5xx (Stripe retries). @default 5 */
  maxWriteAttempts?: number;
}

/** The change being applied: a Stripe event, or a reconcile pass (synthetic id). */
export interface ChangeSource {
  id: string;
  type: string;
  /** Epoch seconds: the ordering-guard time of the change. */
  created: number;
}

export interface UserContext {
  sub: string;
  stripeCustomerId: string;
  email?: string;
  /** Already read by user resolution: reused for the first attempt (saves a read). */
  record?: WebhookEntitlementRecord;
  profile?: UserProfile;
}

export interface EntitlementWriteResult {
  sub: string;
  /** False when the change was older / a duplicate / had no effect: nothing was written. */
  changed: boolean;
  before: Entitlement | undefined;
  record: WebhookEntitlementRecord;
  groups: GroupChange;
}

/**
 * Returns the customer's next state, or undefined for "no change". Called again after a lost race with the
 * freshly read state, so it must be a function of its input (plus memoised Stripe reads).
 */
export type Decide = (
  state: CustomerState,
  record: WebhookEntitlementRecord | undefined,
) => Promise<CustomerState | undefined>;

/** Key-order-independent JSON, to compare a record read back from DynamoDB with a computed one. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function meaningful(record: WebhookEntitlementRecord) {
  return {
    ...entitlementOf(record),
    subscriptions: record.subscriptions ?? {},
    billing: record.billing ?? null,
    stripeCustomerId: record.stripeCustomerId ?? null,
    email: record.email ?? null,
    cognitoUsername: record.cognitoUsername ?? null,
    lastEventCreated: record.lastEventCreated,
  };
}

/**
 * Most pending audit entries a record carries. Past it the oldest are re-put (idempotent) and dropped: a user with
 * that many audited changes between two reconcile passes, never the common path.
 */
const MAX_PENDING_AUDIT = 10;

/**
 * The one write path of the derived view: read (consistent), decide, compute with the pure policy, conditional
 * write on `entitlementsVersion` (re-read and retry on a lost race), then audit and Cognito groups. Groups are
 * synced whenever the record's desired groups differ from the applied ones, even when this change wrote nothing:
 * that is how a retry after a Cognito failure converges.
 *
 * Audit (no transactions): the change's entry rides in the same conditional write (`pendingAudit`), then is put
 * to the AuditLog (conditional on its key). If that put fails, the entry is still on the record: the caller's
 * retry (Stripe redelivery, reconcile's next run) finds it and re-puts it, so an applied change ends with exactly
 * one entry, and a change that was not written has none. Later writes carry pending entries forward at no extra
 * request; reconcile re-puts and clears them (`settlePendingAudit`).
 */
export async function commitEntitlement(
  deps: EntitlementWriterDeps,
  user: UserContext,
  change: ChangeSource,
  decide: Decide,
): Promise<EntitlementWriteResult> {
  const attempts = deps.maxWriteAttempts ?? 5;
  let prefetched = user.record;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const record: WebhookEntitlementRecord | undefined = prefetched ?? (await deps.entitlements.get(user.sub));
    prefetched = undefined;
    const now = deps.clock.now();
    const state = customerStateOf(record);
    const decided = await decide(state, record);
    const nextState = decided ?? state;
    const base: WebhookEntitlementRecord =
      record ??
      initialEntitlementRecord(
        deps.catalog,
        {
          sub: user.sub,
          cognitoUsername: user.profile?.cognitoUsername,
          email: user.email ?? user.profile?.email,
          stripeCustomerId: user.stripeCustomerId,
        },
        now,
      );
    const computed = computeEntitlement(
      Object.values(nextState.subscriptions),
      deps.catalog,
      now,
      deps.policy,
      nextState.billing,
    );
    const entitlement = keepRunningNoCardTrial(base, computed, Object.values(nextState.subscriptions), now);
    const next: WebhookEntitlementRecord = {
      ...base,
      ...entitlement,
      subscriptions: nextState.subscriptions,
      billing: nextState.billing,
      subscriptionIds: Object.keys(nextState.subscriptions).sort(),
      stripeCustomerId: base.stripeCustomerId ?? user.stripeCustomerId,
      email: base.email ?? user.email ?? user.profile?.email,
      cognitoUsername: base.cognitoUsername ?? user.profile?.cognitoUsername,
      cognitoGroups: base.cognitoGroups ?? [],
      lastEventCreated: decided ? Math.max(base.lastEventCreated ?? 0, change.created) : base.lastEventCreated,
      lastEventId: decided ? change.id : base.lastEventId,
    };
    if (record && stable(meaningful(record)) === stable(meaningful(next))) {
      // Already applied: a retry of this change re-puts its entry if the first attempt's put may have failed.
      for (const entry of record.pendingAudit ?? []) {
        if (entry.eventId === change.id) await deps.audit.append(entry);
      }
      const groups = await applyGroups(deps, record, user);
      return { sub: user.sub, changed: false, before: entitlementOf(record), record, groups };
    }
    next.entitlementsVersion = (record?.entitlementsVersion ?? 0) + 1;
    next.updatedAt = now.toISOString();
    const before = record ? entitlementOf(record) : undefined;
    const entry = auditEntryOf(deps, next, before, change);
    const pending = [
      ...(record?.pendingAudit ?? []).filter((carried) => carried.entryId !== entry?.entryId),
      ...(entry ? [entry] : []),
    ];
    const overflow = pending.splice(0, Math.max(0, pending.length - MAX_PENDING_AUDIT));
    for (const dropped of overflow) await deps.audit.append(dropped);
    next.pendingAudit = pending.length > 0 ? pending : undefined;
    const outcome = await deps.entitlements.writeIfVersion(next, record ? record.entitlementsVersion : null);
    if (outcome === 'conflict') continue;
    logUnknownPrices(next, change);
    if (entry) await deps.audit.append(entry);
    const groups = await applyGroups(deps, next, user);
    return { sub: user.sub, changed: true, before, record: next, groups };
  }
  throw new DependencyUnavailableError('dynamodb', `entitlement write lost ${attempts} races in a row for one user`);
}

function logUnknownPrices(record: WebhookEntitlementRecord, change: ChangeSource): void {
  for (const snapshot of Object.values(record.subscriptions ?? {})) {
    if (snapshot.plan === null && snapshot.eventId === change.id) {
      logger.error('configuration error: subscription price is not in the plan catalog, it grants nothing', {
        subscriptionId: snapshot.id,
        price: snapshot.priceLabel,
        eventId: change.id,
      });
    }
  }
}

/** The AuditLog entry of a change, or undefined when plan, status, entitlement and groups are all unchanged. */
function auditEntryOf(
  deps: EntitlementWriterDeps,
  record: WebhookEntitlementRecord,
  before: Entitlement | undefined,
  change: ChangeSource,
): AuditEntry | undefined {
  const { add, remove } = diffManagedGroups(record.cognitoGroups ?? [], record.groups, deps.catalog);
  const unchanged =
    before !== undefined &&
    before.plan === record.plan &&
    before.status === record.status &&
    before.entitled === record.entitled &&
    add.length === 0 &&
    remove.length === 0;
  if (unchanged) return undefined;
  return {
    userId: record.cognito_sub,
    // The change's own time, not the wall clock: a redelivery produces the same key and is not duplicated.
    entryId: `${new Date(change.created * 1000).toISOString()}#${change.id}`,
    eventId: change.id,
    eventType: change.type,
    stripeCustomerId: record.stripeCustomerId,
    oldPlan: before?.plan ?? 'none',
    newPlan: record.plan,
    oldStatus: before?.status ?? 'none',
    newStatus: record.status,
    groupsAdded: add,
    groupsRemoved: remove,
    entitlementsVersion: record.entitlementsVersion,
    recordedAt: deps.clock.now().toISOString(),
  };
}

export type SettleOutcome = 'none' | 'settled' | 'conflict';

/**
 * Reconcile's recovery of the audit trail: re-puts every entry still pending on the user's record (idempotent)
 * and clears them with a write conditioned on the version read. 'conflict': another write came first and carried
 * the entries forward (already put now; a later pass clears them). Only users with pending entries pay for it.
 */
export async function settlePendingAudit(
  deps: Pick<EntitlementWriterDeps, 'entitlements' | 'audit' | 'clock'>,
  sub: string,
): Promise<SettleOutcome> {
  const record = (await deps.entitlements.get(sub)) as WebhookEntitlementRecord | undefined;
  const pending = record?.pendingAudit ?? [];
  if (!record || pending.length === 0) return 'none';
  for (const entry of pending) await deps.audit.append(entry);
  const cleared: WebhookEntitlementRecord = {
    ...record,
    pendingAudit: undefined,
    // A new version, like every full write: a delivery holding the old version re-reads instead of writing over it.
    entitlementsVersion: record.entitlementsVersion + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  const outcome = await deps.entitlements.writeIfVersion(cleared, record.entitlementsVersion);
  return outcome === 'written' ? 'settled' : 'conflict';
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Makes Cognito match the record. Fast path: the diff from the recorded applied groups, recorded with a condition
 * on the record's version, so no re-read is needed to know whether another delivery wrote in between. When one
 * did (the condition fails), its Cognito calls may have interleaved with ours: converge on the record's newest
 * desired groups against Cognito's actual membership (bounded).
 */
async function applyGroups(
  deps: EntitlementWriterDeps,
  record: WebhookEntitlementRecord,
  user: UserContext,
): Promise<GroupChange> {
  const managed = (groups: readonly string[]) => groups.filter((g) => deps.catalog.isManagedGroup(g));
  if (sameSet(managed(record.groups), managed(record.cognitoGroups ?? []))) return { added: [], removed: [] };
  const username =
    record.cognitoUsername ?? user.profile?.cognitoUsername ?? (await usernameFromProfile(deps, user.sub));
  const first = await syncCognitoGroups(deps, record, username, record.entitlementsVersion);
  const added = new Set(first.added);
  const removed = new Set(first.removed);
  if (first.recorded !== 'conflict') return { added: first.added, removed: first.removed };
  let applied: string[] | undefined;
  for (let round = 0; round < 5; round += 1) {
    const latest = await deps.entitlements.get(user.sub);
    if (!latest) break;
    if (applied && sameSet(managed(latest.groups), applied)) break;
    const actual = managed(await deps.groups.listGroupsForUser(username));
    const change = await syncCognitoGroups(
      deps,
      { ...latest, cognitoGroups: actual },
      username,
      latest.entitlementsVersion,
    );
    for (const g of change.added) added.add(g);
    for (const g of change.removed) removed.add(g);
    applied = managed(latest.groups);
    if (change.recorded === 'written') break;
  }
  return { added: [...added].sort(), removed: [...removed].sort() };
}

async function usernameFromProfile(deps: EntitlementWriterDeps, sub: string): Promise<string> {
  const profile = await deps.profiles.get(sub);
  return profile?.cognitoUsername ?? sub;
}

/** Validates and normalises Stripe subscription objects; an invalid one is a Stripe contract break: throw. */
export function normaliseSubscriptions(subscriptions: readonly unknown[]): NormalisedSubscription[] {
  return subscriptions.map((subscription) => {
    try {
      return normaliseSubscription(subscription);
    } catch (error) {
      if (error instanceof InvalidStripeEventError) {
        throw new DependencyUnavailableError('stripe', `unexpected subscription shape from Stripe: ${error.message}`);
      }
      throw error;
    }
  });
}

/**
 * For reconcile (and anyone holding a customer's full subscription list): recomputes and writes the entitlement
 * from Stripe's objects with the same policy, then syncs groups. The list is Stripe's truth at `readAt`, so it
 * becomes the guard time of every listed subscription: webhook events older than the read change nothing.
 */
export async function recomputeEntitlementFromStripe(
  deps: EntitlementWriterDeps,
  input: { sub: string; stripeCustomerId: string; subscriptions: readonly unknown[]; readAt?: Date; reason?: string },
): Promise<EntitlementWriteResult> {
  const readAt = input.readAt ?? deps.clock.now();
  const created = Math.floor(readAt.getTime() / 1000);
  const change: ChangeSource = { id: `reconcile:${readAt.toISOString()}`, type: input.reason ?? 'reconcile', created };
  const subscriptions = normaliseSubscriptions(input.subscriptions);
  return commitEntitlement(
    deps,
    { sub: input.sub, stripeCustomerId: input.stripeCustomerId },
    change,
    async (state) => {
      const next = withStripeSubscriptions(state, subscriptions, deps.catalog, change);
      // Only a difference in substance is a change: an unchanged list must not rewrite the record on every pass.
      const substance = (s: CustomerState) =>
        stable(
          Object.fromEntries(
            Object.entries(s.subscriptions).map(([id, { eventCreated: _created, eventId: _id, ...rest }]) => [
              id,
              rest,
            ]),
          ),
        );
      return substance(next) === substance(state) ? undefined : next;
    },
  );
}
