import { type CustomerState, withStripeSubscriptions } from '../../domain/event-ordering';
import { commitEntitlement } from './commit-entitlement';
import type { ChangeSource, EntitlementWriteResult, EntitlementWriterDeps } from './entitlement-writer-types';
import { normaliseSubscriptions } from './normalise-subscriptions';
import { stable } from './record-substance';

/*
 * The entitlement write path's entry point (the webhook and reconcile import from here). The work lives in
 * - commit-entitlement.ts: read, decide, compute, conditional write with retries;
 * - entitlement-writer-types.ts: its deps, change, user and result;
 * - pending-audit.ts: the audit entry riding on the record, and its settlement by reconcile;
 * - apply-groups.ts: Cognito groups made to match the record;
 * - normalise-subscriptions.ts: Stripe's subscription objects validated.
 */

export { commitEntitlement } from './commit-entitlement';
export type {
  ChangeSource,
  Decide,
  EntitlementWriteResult,
  EntitlementWriterDeps,
  UserContext,
} from './entitlement-writer-types';
export { normaliseSubscriptions } from './normalise-subscriptions';
export { type SettleOutcome, settlePendingAudit } from './pending-audit';

/**
 * For reconcile (and anyone holding a customer's full subscription list): recomputes and writes the entitlement
 * from Stripe's objects with the same policy, then syncs groups. The list is Stripe's truth at `readAt`, so it
 * becomes the guard time of every listed subscription: webhook events older than the read change nothing, and a
 * subscription a newer event wrote (it landed after the read, during the run) keeps that event's snapshot.
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
      // The state is read fresh at each attempt (and the write is conditional on its version): a snapshot a webhook
      // wrote after the listing was read is newer than the listing and is kept, never undone.
      const next = withStripeSubscriptions(state, subscriptions, deps.catalog, change, { keepNewer: true });
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
