import { AccountDeletedError } from '../../domain/account-deletion';
import { linkedCustomerId, type UserSnapshot } from '../../domain/drift';
import { normaliseEmail } from '../../domain/email';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import { logger } from '../../platform/logger';
import { settlePendingAudit } from '../webhook/recompute-entitlement';
import { driftContext, planWithTrustedSubscriptions } from './check-user';
import type { UserRepairDeps } from './reconcile-options';
import { PlanStepError, runPlan } from './repairs';

/** Heals one caller; the frontend routes get it from lambdas/wiring/frontend.ts. */
export type HealUser = (sub: string) => Promise<HealOutcome>;

export interface HealOutcome {
  /** The repair steps taken (empty: nothing was missing or stale). */
  repaired: string[];
}

/**
 * Heals one user from the sources of truth, the way reconcile repairs them (the same drift plan, the same
 * repairs), for a route that found a row missing: the Cognito user gives the profile (email, name, sub), the Stripe
 * customer is the linked one, else the one whose `metadata.cognito_sub` is this sub (list by email, never the
 * Search API, which lags), else a new one; the Entitlements record is recomputed from that customer's
 * subscriptions (never defaulted to free for a paying customer) and the Cognito groups made to match it.
 *
 * Costs a Cognito user read, its groups, and one or two Stripe reads per customer (every subscription of any
 * status when the record is lost: a used trial is remembered): routes call it only when a row is missing.
 * A failing step throws its own error (a DependencyUnavailableError is a 503: the caller retries and the heal
 * starts again from the facts). A caller whose Cognito user is gone (a token outlives its user) or whose deletion
 * is under way gets AccountDeletedError: nothing is recreated for them.
 */
export async function healUser(deps: UserRepairDeps, sub: string): Promise<HealOutcome> {
  const listedAt = deps.clock.now();
  const [cognito, profile, record] = await Promise.all([
    deps.source.findUser(sub),
    deps.profiles.get(sub),
    deps.entitlements.get(sub) as Promise<WebhookEntitlementRecord | undefined>,
  ]);
  if (!cognito || profile?.deletion) throw new AccountDeletedError(sub);
  const linkedId = linkedCustomerId({ profile, record });
  const email = profile?.email ?? (cognito.email ? normaliseEmail(cognito.email) : undefined);
  const [groups, customers] = await Promise.all([
    deps.source.groupsOfUser(cognito.username),
    deps.source.customersForUser({ sub, ...(email ? { email } : {}), ...(linkedId ? { linkedId } : {}) }),
  ]);
  const ctx = driftContext(deps, `heal:${listedAt.toISOString()}`, listedAt);
  const snapshot: UserSnapshot = {
    sub,
    cognito,
    cognitoGroups: groups,
    ...(profile ? { profile } : {}),
    ...(record ? { record } : {}),
    customers: [],
  };
  // A lost record also lost what the past says (a trial used, a cancellation): read every subscription, any status.
  const complete = record
    ? customers
    : await Promise.all(
        customers.map(async (customer) => ({
          ...customer,
          subscriptions: await deps.source.allSubscriptions(customer.id),
          complete: true,
        })),
      );
  const raw = new Map(complete.map((customer) => [customer.id, customer]));
  const plan = await planWithTrustedSubscriptions(deps, { ...ctx, deletesAccounts: false }, snapshot, raw);
  if (plan.actions.length > 0) {
    logger.info('Healing the caller', { sub, findings: plan.findings.map((finding) => finding.kind) });
  }
  try {
    await runPlan(deps, ctx, snapshot, plan, raw);
  } catch (error) {
    throw error instanceof PlanStepError ? error.cause : error;
  }
  if (record?.pendingAudit?.length) await settlePendingAudit(deps, sub);
  return { repaired: plan.actions.map((action) => action.type) };
}
