import type { ReconcileReport, ReconcileTrigger, RepairFailure } from '../../domain/reconcile-report';
import type { ReconcileMetrics } from '../../ports/reconcile-ports';

export type { ReconcileReport, RepairFailure, RepairTotals } from '../../domain/reconcile-report';
export type { ReconcileMetrics } from '../../ports/reconcile-ports';

import { randomUUID } from 'node:crypto';
import {
  countByKind,
  customerFor,
  type DriftContext,
  linkedCustomerId,
  NEW_CUSTOMER,
  needsCompleteSubscriptionList,
  parkedEventFindings,
  planUser,
  type StripeCustomerSnapshot,
  stripeReadAt,
  type UserPlan,
  type UserSnapshot,
} from '../../domain/drift';
import type { WebhookEntitlementRecord } from '../../domain/entitlement-policy';
import { ConflictError } from '../../domain/errors';
import { subFromMetadata } from '../../domain/stripe-events';
import { logger } from '../../platform/logger';
import type { CustomerGateway, ProfileStore } from '../../ports/app-ports';
import type {
  ParkedEventRetrier,
  ReconcileSource,
  ReconcileStatePort,
  SourceCustomer,
} from '../../ports/reconcile-ports';
import { type GroupChange, syncCognitoGroups } from '../entitlement/sync-cognito-groups';
import { provisionUser } from '../identity/provision-user';
import {
  type EntitlementWriterDeps,
  normaliseSubscriptions,
  recomputeEntitlementFromStripe,
  settlePendingAudit,
} from '../webhook/recompute-entitlement';

export interface ReconcileDeps extends EntitlementWriterDeps {
  profiles: ProfileStore;
  customers: CustomerGateway;
  source: ReconcileSource;
  state: ReconcileStatePort;
  parked: ParkedEventRetrier;
  metrics?: ReconcileMetrics;
  /** Users checked (and repaired) at once. @default 8 */
  concurrency?: number;
  /** Users between checkpoints. @default 250 */
  batchSize?: number;
  /** Lease length; renewed at every checkpoint. @default 1200 (longer than the Lambda's 15 min limit) */
  leaseSeconds?: number;
  newRunId?: () => string;
}

export interface ReconcileOptions {
  apply: boolean;
  /** Only this Cognito sub. */
  user?: string;
  trigger: ReconcileTrigger;
  /** Asked before each batch; true ends the run early (an apply run saves its checkpoint and resumes next time). */
  shouldStop?: () => boolean;
  /** Dry-run paging: check only users after this sub. */
  after?: string;
  onProgress?: (progress: { checked: number; total: number }) => void;
}

const FULL_SCOPE = 'all';

/**
 * The one reconcile use case behind the schedule, the CLI and the admin routes: read every side in bulk, plan
 * each user with the pure drift rules (lambdas/domain/drift.ts), and in apply mode execute that same plan with the
 * code the triggers and the webhook use (provisionUser, recomputeEntitlementFromStripe, syncCognitoGroups,
 * parked-event retries). Apply runs hold a lease (two at once do no harm) and checkpoint every batch, so a run
 * stopped by the Lambda time limit resumes where it stopped.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconcileReport> {
  const runId = deps.newRunId?.() ?? randomUUID();
  const startedAt = deps.clock.now();
  const scope = options.user ? `user#${options.user}` : FULL_SCOPE;
  const report: ReconcileReport = {
    runId,
    mode: options.apply ? 'apply' : 'dry-run',
    scope: options.user ?? FULL_SCOPE,
    trigger: options.trigger,
    status: 'complete',
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    usersTotal: 0,
    usersChecked: 0,
    counts: countByKind([]),
    findings: [],
    repairs: { applied: 0, skipped: 0, failed: 0, failures: [] },
  };
  const leaseSeconds = deps.leaseSeconds ?? 1200;
  if (options.apply && !(await deps.state.acquireLease(scope, runId, startedAt, leaseSeconds))) {
    logger.warn('another reconcile run holds the lease; nothing done', { scope });
    report.status = 'locked';
    return report;
  }
  try {
    if (options.user) await reconcileOne(deps, options, options.user, report);
    else await reconcileAll(deps, options, report, leaseSeconds);
  } finally {
    if (options.apply) await deps.state.releaseLease(scope, runId);
  }
  // Users are checked concurrently: order the report by user so two reports of the same state read the same.
  report.findings.sort((a, b) => a.sub.localeCompare(b.sub));
  report.counts = countByKind(report.findings);
  report.finishedAt = deps.clock.now().toISOString();
  deps.metrics?.publish(report);
  if (options.apply && report.status === 'complete' && !options.user) {
    await deps.state.saveLastRun(summaryOf(report), deps.clock.now());
  }
  return report;
}

/** The report without the per-user findings (what the state table keeps and metrics show). */
export function summaryOf(report: ReconcileReport): Record<string, unknown> {
  const { findings: _findings, ...rest } = report;
  return { ...rest, repairs: { ...report.repairs, failures: report.repairs.failures.slice(0, 20) } };
}

function driftContext(deps: ReconcileDeps, runId: string, listedAt: Date): DriftContext {
  return {
    catalog: deps.catalog,
    policy: deps.policy,
    now: deps.clock.now(),
    stripeListedAt: Math.floor(listedAt.getTime() / 1000),
    runId,
  };
}

async function reconcileAll(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  report: ReconcileReport,
  leaseSeconds: number,
): Promise<void> {
  const checkpoint = options.apply ? await deps.state.getCheckpoint(FULL_SCOPE) : undefined;
  if (checkpoint) {
    report.runId = checkpoint.runId;
    report.resumedAfter = checkpoint.afterSub;
  }
  const after = checkpoint?.afterSub ?? options.after;

  // Bulk reads, all at once: a few paged calls per side instead of any call per user.
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
  const ctx = driftContext(deps, report.runId, listedAt);

  const groupsByUsername = new Map<string, string[]>();
  for (const [group, usernames] of memberships) {
    for (const username of usernames)
      groupsByUsername.set(username, [...(groupsByUsername.get(username) ?? []), group]);
  }
  const usersBySub = new Map(users.map((user) => [user.sub, user]));
  const profilesBySub = new Map(profiles.map((profile) => [profile.userId, profile]));
  const recordsBySub = new Map(records.map((record) => [record.cognito_sub, record]));
  const customersById = new Map(customers.map((customer) => [customer.id, customer]));
  const customersBySub = new Map<string, SourceCustomer[]>();
  for (const customer of customers) {
    const sub = subFromMetadata(customer.metadata);
    if (sub) customersBySub.set(sub, [...(customersBySub.get(sub) ?? []), customer]);
  }

  const subs = [...new Set([...usersBySub.keys(), ...profilesBySub.keys(), ...recordsBySub.keys()])].sort();
  const todo = after ? subs.filter((sub) => sub > after) : subs;
  report.usersTotal = subs.length;

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

  const batchSize = deps.batchSize ?? 250;
  const totals = {
    counts: { ...(checkpoint?.counts ?? {}) },
    repairs: { ...(checkpoint?.repairs ?? { applied: 0, skipped: 0, failed: 0 }) },
    usersChecked: checkpoint?.usersChecked ?? 0,
  };
  for (let start = 0; start < todo.length; start += batchSize) {
    if (options.shouldStop?.()) {
      report.status = 'partial';
      report.nextAfter = todo[start - 1] ?? after;
      break;
    }
    const batch = todo.slice(start, start + batchSize);
    const before = report.findings.length;
    const repairsBefore = { ...report.repairs };
    await forEachLimited(batch, deps.concurrency ?? 8, async (sub) => {
      const { snapshot, raw } = snapshotOf(sub);
      await checkUser(deps, options, ctx, snapshot, raw, report);
    });
    report.usersChecked += batch.length;
    options.onProgress?.({ checked: report.usersChecked, total: todo.length });
    if (options.apply) {
      for (const finding of report.findings.slice(before))
        totals.counts[finding.kind] = (totals.counts[finding.kind] ?? 0) + 1;
      totals.repairs.applied += report.repairs.applied - repairsBefore.applied;
      totals.repairs.skipped += report.repairs.skipped - repairsBefore.skipped;
      totals.repairs.failed += report.repairs.failed - repairsBefore.failed;
      totals.usersChecked += batch.length;
      const now = deps.clock.now();
      await deps.state.saveCheckpoint(
        FULL_SCOPE,
        {
          runId: report.runId,
          startedAt: checkpoint?.startedAt ?? report.startedAt,
          afterSub: batch.at(-1) ?? '',
          ...totals,
          updatedAt: now.toISOString(),
        },
        now,
      );
      // Renewing the lease at every checkpoint keeps a long CLI run from being taken over.
      await deps.state.acquireLease(FULL_SCOPE, report.runId, now, leaseSeconds);
    }
  }
  if (report.status === 'partial') {
    if (options.apply) report.run = { ...totals, startedAt: checkpoint?.startedAt ?? report.startedAt };
    return;
  }

  // Parked events last: the links made above are what lets them resolve now.
  const parkedFindings = parkedEventFindings(parked);
  report.findings.push(...parkedFindings);
  if (options.apply && parkedFindings.length > 0) {
    await retryParked(report, '*', () => deps.parked.all());
    totals.counts['parked-events'] = (totals.counts['parked-events'] ?? 0) + parkedFindings.length;
  }
  if (options.apply) {
    await deps.state.clearCheckpoint(FULL_SCOPE);
    if (checkpoint) {
      totals.repairs = {
        applied: checkpoint.repairs.applied + report.repairs.applied,
        skipped: checkpoint.repairs.skipped + report.repairs.skipped,
        failed: checkpoint.repairs.failed + report.repairs.failed,
      };
      report.run = { ...totals, startedAt: checkpoint.startedAt };
    }
  }
}

async function reconcileOne(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  sub: string,
  report: ReconcileReport,
): Promise<void> {
  const listedAt = deps.clock.now();
  const [cognito, profile, record] = await Promise.all([
    deps.source.findUser(sub),
    deps.profiles.get(sub),
    deps.entitlements.get(sub) as Promise<WebhookEntitlementRecord | undefined>,
  ]);
  const linkedId = linkedCustomerId({ profile, record });
  const email = profile?.email ?? cognito?.email;
  const [groups, customers, parked] = await Promise.all([
    cognito ? deps.source.groupsOfUser(cognito.username) : Promise.resolve(undefined),
    deps.source.customersForUser({ sub, ...(email ? { email } : {}), ...(linkedId ? { linkedId } : {}) }),
    linkedId ? deps.source.parkedEvents(linkedId) : Promise.resolve([]),
  ]);
  report.usersTotal = cognito || profile || record ? 1 : 0;
  if (report.usersTotal === 0) return;
  const ctx = driftContext(deps, report.runId, listedAt);
  const snapshot: UserSnapshot = {
    sub,
    ...(cognito ? { cognito, cognitoGroups: groups ?? [] } : {}),
    ...(profile ? { profile } : {}),
    ...(record ? { record } : {}),
    customers: [],
  };
  const customerId = await checkUser(deps, options, ctx, snapshot, new Map(customers.map((c) => [c.id, c])), report);
  report.usersChecked = 1;
  const parkedFindings = parkedEventFindings(parked);
  report.findings.push(...parkedFindings);
  const retryFor = customerId ?? linkedId;
  if (options.apply && parkedFindings.length > 0 && retryFor) {
    await retryParked(report, sub, () => deps.parked.forCustomer(retryFor));
  }
}

async function retryParked(
  report: ReconcileReport,
  sub: string,
  retry: () => Promise<{ applied: number; stillParked: number }>,
) {
  try {
    const result = await retry();
    report.repairs.applied += result.applied;
    if (result.stillParked > 0) report.repairs.skipped += result.stillParked;
  } catch (error) {
    fail(report, sub, 'retry-parked-events', error);
  }
}

function fail(report: ReconcileReport, sub: string, action: RepairFailure['action'], error: unknown) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  report.repairs.failed += 1;
  report.repairs.failures.push({ sub, action, error: message });
  logger.error('reconcile repair failed', { sub, action, error: message });
}

function toCustomerSnapshot(customer: SourceCustomer): StripeCustomerSnapshot {
  const sub = subFromMetadata(customer.metadata);
  return {
    id: customer.id,
    ...(sub ? { cognitoSub: sub } : {}),
    created: customer.created,
    subscriptions: normaliseSubscriptions(customer.subscriptions),
    complete: customer.complete,
  };
}

/**
 * Plans one user (after completing the decisive customer's subscription list when the live one cannot be
 * trusted), records the findings, and in apply mode executes the plan. Returns the customer id the user ends with.
 */
async function checkUser(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  ctx: DriftContext,
  snapshot: UserSnapshot,
  raw: Map<string, SourceCustomer>,
  report: ReconcileReport,
): Promise<string | undefined> {
  let plan: UserPlan;
  try {
    snapshot.customers = [...raw.values()].map(toCustomerSnapshot);
    const decisive = customerFor(snapshot);
    if (decisive && needsCompleteSubscriptionList(decisive, snapshot.record)) {
      const all = await deps.source.allSubscriptions(decisive.id);
      const complete = { ...(raw.get(decisive.id) as SourceCustomer), subscriptions: all, complete: true };
      raw.set(decisive.id, complete);
      snapshot.customers = [...raw.values()].map(toCustomerSnapshot);
    }
    plan = planUser(snapshot, ctx);
  } catch (error) {
    fail(report, snapshot.sub, 'check', error);
    return undefined;
  }
  report.findings.push(...plan.findings);
  if (!options.apply) return linkedCustomerId(snapshot);
  const customerId =
    plan.actions.length === 0 ? linkedCustomerId(snapshot) : await executePlan(deps, ctx, snapshot, plan, raw, report);
  if (snapshot.record?.pendingAudit?.length) {
    // Audit entries whose AuditLog put may have failed (here or in a webhook delivery): put them, then clear.
    try {
      await settlePendingAudit(deps, snapshot.sub);
    } catch (error) {
      fail(report, snapshot.sub, 'settle-audit', error);
    }
  }
  return customerId;
}

async function executePlan(
  deps: ReconcileDeps,
  ctx: DriftContext,
  snapshot: UserSnapshot,
  plan: UserPlan,
  raw: Map<string, SourceCustomer>,
  report: ReconcileReport,
): Promise<string | undefined> {
  const { sub } = snapshot;
  let customerId = linkedCustomerId(snapshot);
  let provisionAdded: string[] = [];
  let recomputed: GroupChange | undefined;
  for (const action of plan.actions) {
    try {
      switch (action.type) {
        case 'provision-user': {
          const { user } = action;
          const result = await provisionUser(
            deps,
            {
              sub: user.sub,
              username: user.username,
              email: user.email ?? '',
              emailVerified: user.emailVerified,
              ...(user.givenName ? { givenName: user.givenName } : {}),
              ...(user.familyName ? { familyName: user.familyName } : {}),
              identityProvider: user.identityProvider,
            },
            { createCustomer: false },
          );
          provisionAdded = result.groupsAdded;
          customerId = result.stripeCustomerId ?? customerId;
          break;
        }
        case 'link-customer':
          customerId = await link(deps, sub, action.customerId);
          break;
        case 'create-customer': {
          const created = await deps.customers.createForUser({
            sub,
            email: action.email,
            ...(action.name ? { name: action.name } : {}),
          });
          customerId = await link(deps, sub, created.id);
          break;
        }
        case 'recompute-entitlement': {
          const id = action.customerId === NEW_CUSTOMER ? customerId : action.customerId;
          if (!id) throw new ConflictError('no Stripe customer to recompute from');
          const result = await recomputeEntitlementFromStripe(deps, {
            sub,
            stripeCustomerId: id,
            subscriptions: action.customerId === NEW_CUSTOMER ? [] : (raw.get(id)?.subscriptions ?? []),
            readAt: stripeReadAt(ctx),
            reason: 'reconcile',
          });
          recomputed = result.groups;
          break;
        }
        case 'sync-groups': {
          // Start from Cognito's real membership as changed by the steps above, so the net change is the planned one.
          const current = new Set([...action.current, ...provisionAdded, ...(recomputed?.added ?? [])]);
          for (const group of recomputed?.removed ?? []) current.delete(group);
          const change = await syncCognitoGroups(
            deps,
            { cognito_sub: sub, groups: action.desired, cognitoGroups: [...current] },
            action.username,
          );
          if (change.added.length === 0 && change.removed.length === 0) {
            await deps.entitlements.setCognitoGroups(sub, action.desired, deps.clock.now());
          }
          break;
        }
      }
      report.repairs.applied += 1;
    } catch (error) {
      // Later steps build on earlier ones: stop this user here; the next run starts again from the facts.
      fail(report, sub, action.type, error);
      return customerId;
    }
  }
  return customerId;
}

async function link(deps: ReconcileDeps, sub: string, customerId: string): Promise<string> {
  const stored = await deps.profiles.linkStripeCustomer(sub, customerId, deps.clock.now());
  if (stored !== customerId) {
    throw new ConflictError(`profile was linked to ${stored ?? '(no profile)'} meanwhile; ${customerId} left unlinked`);
  }
  return stored;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
