import {
  customerFor,
  type DriftContext,
  linkedCustomerId,
  needsCompleteSubscriptionList,
  planUser,
  type StripeCustomerSnapshot,
  type UserPlan,
  type UserSnapshot,
} from '../../domain/drift';
import type { ReconcileReport } from '../../domain/reconcile-report';
import { subFromMetadata } from '../../domain/stripe-events';
import type { SourceCustomer } from '../../ports/reconcile-ports';
import { normaliseSubscriptions, settlePendingAudit } from '../webhook/recompute-entitlement';
import type { ReconcileOptions, UserRepairDeps } from './reconcile-options';
import { executePlan } from './repairs';
import { recordFailure } from './report';

/** One user checked: planned with the pure drift rules, and in apply mode repaired. */

/** The drift rules' context for a run whose Stripe listing started at `listedAt`. */
export function driftContext(deps: UserRepairDeps, runId: string, listedAt: Date): DriftContext {
  return {
    catalog: deps.catalog,
    policy: deps.policy,
    now: deps.clock.now(),
    stripeListedAt: Math.floor(listedAt.getTime() / 1000),
    runId,
    deletesAccounts: deps.accounts !== undefined,
  };
}

/**
 * Plans one user (after completing the decisive customer's subscription list when the live one cannot be
 * trusted), records the findings, and in apply mode executes the plan. Returns the customer id the user ends with.
 */
export async function checkUser(
  deps: UserRepairDeps,
  options: ReconcileOptions,
  ctx: DriftContext,
  snapshot: UserSnapshot,
  raw: Map<string, SourceCustomer>,
  report: ReconcileReport,
): Promise<string | undefined> {
  let plan: UserPlan;
  try {
    plan = await planWithTrustedSubscriptions(deps, ctx, snapshot, raw);
  } catch (error) {
    recordFailure(report, snapshot.sub, 'check', error);
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
      recordFailure(report, snapshot.sub, 'settle-audit', error);
    }
  }
  return customerId;
}

/**
 * Fills the snapshot's customers from `raw` and plans. A live list missing a subscription the record relies on is
 * replaced (in `raw` too, for the repairs) by the customer's complete list first.
 */
export async function planWithTrustedSubscriptions(
  deps: UserRepairDeps,
  ctx: DriftContext,
  snapshot: UserSnapshot,
  raw: Map<string, SourceCustomer>,
): Promise<UserPlan> {
  snapshot.customers = [...raw.values()].map(toCustomerSnapshot);
  const decisive = customerFor(snapshot);
  if (decisive && needsCompleteSubscriptionList(decisive, snapshot.record)) {
    const all = await deps.source.allSubscriptions(decisive.id);
    const complete = { ...(raw.get(decisive.id) as SourceCustomer), subscriptions: all, complete: true };
    raw.set(decisive.id, complete);
    snapshot.customers = [...raw.values()].map(toCustomerSnapshot);
  }
  return planUser(snapshot, ctx);
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
