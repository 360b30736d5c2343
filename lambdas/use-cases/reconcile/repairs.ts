import { policyFor } from '../../domain/account-deletion';
import {
  type DriftContext,
  linkedCustomerId,
  NEW_CUSTOMER,
  type RepairAction,
  stripeReadAt,
  type UserPlan,
  type UserSnapshot,
} from '../../domain/drift';
import { ConflictError } from '../../domain/errors';
import { managedGroupsOf } from '../../domain/groups';
import type { ReconcileReport } from '../../domain/reconcile-report';
import type { SourceCustomer } from '../../ports/reconcile-ports';
import { type GroupChange, syncCognitoGroups } from '../entitlement/sync-cognito-groups';
import { deleteAccount } from '../identity/delete-account';
import { provisionUser } from '../identity/provision-user';
import { recomputeEntitlementFromStripe } from '../webhook/recompute-entitlement';
import type { UserRepairDeps } from './reconcile-options';
import { recordFailure } from './report';

/**
 * Apply mode: a user's plan executed with the code the triggers and the webhook use (provisionUser,
 * recomputeEntitlementFromStripe, syncCognitoGroups), and parked events retried with the webhook's own code.
 */

/** What earlier actions changed that later ones build on. */
interface Progress {
  customerId: string | undefined;
  /** Groups provisioning added in Cognito. */
  provisionAdded: string[];
  /** Groups the recompute changed in Cognito. */
  recomputed: GroupChange | undefined;
}

interface UserInRepair {
  sub: string;
  ctx: DriftContext;
  /** The user's Stripe customers as read, by id: whose subscriptions the recompute uses. */
  raw: Map<string, SourceCustomer>;
}

/** Executes the plan's actions in order, counting each; returns the customer id the user ends with. */
export async function executePlan(
  deps: UserRepairDeps,
  ctx: DriftContext,
  snapshot: UserSnapshot,
  plan: UserPlan,
  raw: Map<string, SourceCustomer>,
  report: ReconcileReport,
): Promise<string | undefined> {
  try {
    return await runPlan(deps, ctx, snapshot, plan, raw, {
      onApplied: () => {
        report.repairs.applied += 1;
      },
      onChangedDuringRun: (remaining) => {
        report.repairs.skipped += remaining;
        report.changedDuringRun = [...(report.changedDuringRun ?? []), snapshot.sub];
      },
    });
  } catch (error) {
    // Later steps build on earlier ones: stop this user here; the next run starts again from the facts.
    const failed = error as PlanStepError;
    recordFailure(report, snapshot.sub, failed.action, failed.cause);
    return failed.customerId;
  }
}

/** A plan step that failed: which one, the customer id reached so far, and the step's own error as `cause`. */
export class PlanStepError extends Error {
  override name = 'PlanStepError';
  constructor(
    readonly action: RepairAction['type'],
    readonly customerId: string | undefined,
    override readonly cause: unknown,
  ) {
    super(`${action} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface PlanHooks {
  /** A step done. */
  onApplied?(action: RepairAction): void;
  /** The state changed since it was read (a webhook landed): `remaining` steps, this one included, are skipped. */
  onChangedDuringRun?(remaining: number): void;
}

/**
 * Executes the plan's actions in order and stops at the first failure, throwing a PlanStepError (the step's error
 * as `cause`); returns the customer id the user ends with. A step that finds newer state than the plan's stops the
 * plan there: the later steps were built on it (the next run or request plans from the new facts).
 */
export async function runPlan(
  deps: UserRepairDeps,
  ctx: DriftContext,
  snapshot: UserSnapshot,
  plan: UserPlan,
  raw: Map<string, SourceCustomer>,
  hooks: PlanHooks = {},
): Promise<string | undefined> {
  const user: UserInRepair = { sub: snapshot.sub, ctx, raw };
  const progress: Progress = { customerId: linkedCustomerId(snapshot), provisionAdded: [], recomputed: undefined };
  for (const [index, action] of plan.actions.entries()) {
    let outcome: 'changed-during-run' | undefined;
    try {
      outcome = await runAction(deps, user, action, progress);
    } catch (error) {
      throw new PlanStepError(action.type, progress.customerId, error);
    }
    if (outcome === 'changed-during-run') {
      hooks.onChangedDuringRun?.(plan.actions.length - index);
      return progress.customerId;
    }
    hooks.onApplied?.(action);
  }
  return progress.customerId;
}

async function runAction(
  deps: UserRepairDeps,
  user: UserInRepair,
  action: RepairAction,
  progress: Progress,
): Promise<'changed-during-run' | undefined> {
  switch (action.type) {
    case 'provision-user': {
      const result = await provisionUser(deps, provisionInputOf(action.user), { createCustomer: false });
      progress.provisionAdded = result.groupsAdded;
      progress.customerId = result.stripeCustomerId ?? progress.customerId;
      return;
    }
    case 'link-customer':
      progress.customerId = await link(deps, user.sub, action.customerId);
      return;
    case 'create-customer': {
      const created = await deps.customers.createForUser({
        sub: user.sub,
        email: action.email,
        ...(action.name ? { name: action.name } : {}),
      });
      progress.customerId = await link(deps, user.sub, created.id);
      return;
    }
    case 'recompute-entitlement': {
      const result = await recompute(deps, user, action, progress.customerId);
      progress.recomputed = result.groups;
      // Re-planned on a fresh read at repair time: newer state (a webhook during the run) left nothing to repair.
      return result.changed ? undefined : 'changed-during-run';
    }
    case 'sync-groups':
      return syncGroups(deps, user.sub, action, progress);
    case 'delete-account':
      await removeAccount(deps, user.sub, action);
      progress.customerId = undefined;
      return;
  }
}

/**
 * Finishes a started deletion, or cleans up an orphan. An orphan is re-checked in Cognito first: the bulk listing
 * may predate a user who signed up during the run, whose fresh profile must not be taken for an orphan.
 */
async function removeAccount(
  deps: UserRepairDeps,
  sub: string,
  action: Extract<RepairAction, { type: 'delete-account' }>,
): Promise<void> {
  if (!deps.accounts) throw new ConflictError('this run cannot delete accounts (no account-deletion settings)');
  if (action.trigger === 'orphan' && (await deps.source.findUser(sub))) {
    throw new ConflictError('the Cognito user exists now (signed up during the run?): not an orphan, left as is');
  }
  await deleteAccount(deps.accounts.deletion, {
    sub,
    trigger: action.trigger,
    policy: policyFor(deps.accounts.settings, action.trigger),
  });
}

function provisionInputOf(user: Extract<RepairAction, { type: 'provision-user' }>['user']) {
  return {
    sub: user.sub,
    username: user.username,
    email: user.email ?? '',
    emailVerified: user.emailVerified,
    ...(user.givenName ? { givenName: user.givenName } : {}),
    ...(user.familyName ? { familyName: user.familyName } : {}),
    identityProvider: user.identityProvider,
  };
}

async function link(deps: UserRepairDeps, sub: string, customerId: string): Promise<string> {
  const stored = await deps.profiles.linkStripeCustomer(sub, customerId, deps.clock.now());
  if (stored !== customerId) {
    throw new ConflictError(`profile was linked to ${stored ?? '(no profile)'} meanwhile; ${customerId} left unlinked`);
  }
  return stored;
}

/** The webhook's write path over the customer's subscriptions as read (a customer created just now has none). */
async function recompute(
  deps: UserRepairDeps,
  { sub, ctx, raw }: UserInRepair,
  action: Extract<RepairAction, { type: 'recompute-entitlement' }>,
  customerId: string | undefined,
): Promise<{ changed: boolean; groups: GroupChange }> {
  const id = action.customerId === NEW_CUSTOMER ? customerId : action.customerId;
  if (!id) throw new ConflictError('no Stripe customer to recompute from');
  const result = await recomputeEntitlementFromStripe(deps, {
    sub,
    stripeCustomerId: id,
    subscriptions: action.customerId === NEW_CUSTOMER ? [] : (raw.get(id)?.subscriptions ?? []),
    readAt: stripeReadAt(ctx),
    reason: 'reconcile',
  });
  return { changed: result.changed, groups: result.groups };
}

async function syncGroups(
  deps: UserRepairDeps,
  sub: string,
  action: Extract<RepairAction, { type: 'sync-groups' }>,
  { provisionAdded, recomputed }: Progress,
): Promise<'changed-during-run' | undefined> {
  // The desired groups were planned from the run's read of the record: a webhook since then wins.
  const fresh = await deps.entitlements.get(sub);
  const desired = managedGroupsOf(fresh?.groups ?? action.desired, deps.catalog);
  if (fresh && !sameGroups(desired, managedGroupsOf(action.desired, deps.catalog))) return 'changed-during-run';
  // Start from Cognito's real membership as changed by the steps above, so the net change is the planned one.
  const current = new Set([...action.current, ...provisionAdded, ...(recomputed?.added ?? [])]);
  for (const group of recomputed?.removed ?? []) current.delete(group);
  const change = await syncCognitoGroups(
    deps,
    { cognito_sub: sub, groups: action.desired, cognitoGroups: [...current] },
    action.username,
  );
  if (change.added.length === 0 && change.removed.length === 0) {
    // Cognito already matched, so the sync recorded nothing: the record's applied groups were what differed.
    await deps.entitlements.setCognitoGroups(sub, action.desired, deps.clock.now());
  }
  return undefined;
}

const sameGroups = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();

/** Retries parked events (all, or one customer's), counting what applied and what stays parked. */
export async function retryParked(
  report: ReconcileReport,
  sub: string,
  retry: () => Promise<{ applied: number; stillParked: number }>,
): Promise<void> {
  try {
    const result = await retry();
    report.repairs.applied += result.applied;
    if (result.stillParked > 0) report.repairs.skipped += result.stillParked;
  } catch (error) {
    recordFailure(report, sub, 'retry-parked-events', error);
  }
}
