import type { DriftContext, StripeCustomerSnapshot } from './drift-snapshots';
import type { Entitlement } from './entitlement';
import { beneathOf, mergeOverride, overrideActive } from './entitlement-override';
import { computeEntitlement, keepRunningNoCardTrial } from './entitlement-policy';
import { type CustomerState, customerStateOf, resolvedSubscriptions, withStripeSubscriptions } from './event-ordering';
import type { WebhookEntitlementRecord } from './webhook-entitlement-record';

/**
 * The entitlement a user should have, computed exactly as the webhook's write path computes it (same merge, same
 * ordering guard, same policy), and the comparison that says whether the stored one differs in substance.
 */

const sortedSet = (values: readonly string[]) => [...new Set(values)].sort();
export const sameSet = (a: readonly string[], b: readonly string[]) =>
  sortedSet(a).join('\u0000') === sortedSet(b).join('\u0000');

/**
 * Whether two entitlements give the same thing. Two non-entitled free states are the same whatever their status
 * label (`none`, `canceled`, `expired`): recomputing cannot tell them apart once subscriptions are gone.
 */
export function sameEntitlement(a: Entitlement, b: Entitlement): boolean {
  const sameAccess = a.entitled === b.entitled && a.plan === b.plan && sameSet(a.groups, b.groups);
  if (!a.entitled && !b.entitled) return sameAccess && sameSet(a.features, b.features);
  return (
    sameAccess &&
    a.status === b.status &&
    sameSet(a.features, b.features) &&
    a.currentPeriodEnd === b.currentPeriodEnd &&
    a.trialEndsAt === b.trialEndsAt &&
    a.cancelAtPeriodEnd === b.cancelAtPeriodEnd &&
    (a.cancelAt ?? null) === (b.cancelAt ?? null) &&
    a.graceEndsAt === b.graceEndsAt &&
    JSON.stringify(a.paymentReversal ?? null) === JSON.stringify(b.paymentReversal ?? null)
  );
}

/** Every event before the listing started is reflected in it: older deliveries must not roll it back. */
export function stripeReadAt(ctx: Pick<DriftContext, 'stripeListedAt'>): Date {
  return new Date((ctx.stripeListedAt - 1) * 1000);
}

/**
 * The customer's state as Stripe shows it now, merged into the record's state exactly as the webhook's
 * `recomputeEntitlementFromStripe` merges it (same ordering rule, same guard time).
 */
export function customerStateFromStripe(
  record: WebhookEntitlementRecord | undefined,
  customer: Pick<StripeCustomerSnapshot, 'subscriptions'>,
  ctx: DriftContext,
): CustomerState {
  const readAt = stripeReadAt(ctx);
  return withStripeSubscriptions(
    customerStateOf(record),
    customer.subscriptions,
    ctx.catalog,
    {
      id: `reconcile:${readAt.toISOString()}`,
      created: Math.floor(readAt.getTime() / 1000),
    },
    { keepNewer: true },
  );
}

/**
 * What the record should say: the policy over the merged state, except that a running no-card trial (plan
 * `trial`, no active or trialing Stripe subscription behind it) is kept until it ends, the same rule the
 * webhook's write path applies (keepRunningNoCardTrial).
 */
export function expectedEntitlement(
  record: WebhookEntitlementRecord,
  state: CustomerState,
  ctx: Pick<DriftContext, 'catalog' | 'policy' | 'now'>,
): Entitlement {
  // An operator's override wins while active: reconcile never "repairs" it away, and takes it off once it ended.
  return mergeOverride(expectedBeneath(record, state, ctx), record.override, ctx.catalog, ctx.now);
}

/** The policy's entitlement under any override (what the record keeps as `beneath` while one is active). */
export function expectedBeneath(
  record: WebhookEntitlementRecord,
  state: CustomerState,
  ctx: Pick<DriftContext, 'catalog' | 'policy' | 'now'>,
): Entitlement {
  const subscriptions = resolvedSubscriptions(state, ctx.catalog);
  const computed = computeEntitlement(subscriptions, ctx.catalog, ctx.now, ctx.policy, state.billing);
  return keepRunningNoCardTrial(beneathOf(record), computed, subscriptions, ctx.now);
}

/**
 * Drift under an operator's override, where the shown entitlement agrees: an ended override still on the record, or
 * a stale entitlement beneath an active one (it would show wrongly the moment the override ends).
 */
export function overrideDriftOf(
  base: WebhookEntitlementRecord,
  state: CustomerState,
  ctx: Pick<DriftContext, 'catalog' | 'policy' | 'now'>,
  describe: (entitlement: Entitlement) => string,
): string | undefined {
  if (!base.override) return undefined;
  if (!overrideActive(base.override, ctx.now)) return `override (${base.override.plan}) ended ${base.override.endsAt}`;
  const beneath = expectedBeneath(base, state, ctx);
  return sameEntitlement(beneathOf(base), beneath)
    ? undefined
    : `under the override: stored ${describe(beneathOf(base))}, Stripe gives ${describe(beneath)}`;
}
