import { type Entitlement, entitlementOf } from '../../domain/entitlement';
import { type CustomerState, transition, withStripeSubscriptions } from '../../domain/event-ordering';
import type { NormalisedEvent, NormalisedSubscription } from '../../domain/stripe-events';
import type { EventReader } from '../../domain/stripe-read';
import { logger } from '../../platform/logger';
import type { AccountTombstoneReader } from '../../ports/account-ports';
import type { ProfileStore } from '../../ports/app-ports';
import type { CreditBook } from '../../ports/credit-ports';
import type { ParkedEventStore, ParkReason, SubscriptionSource } from '../../ports/webhook-ports';
import { creditSale } from '../credits/credit-sale';
import type { GroupChange } from '../entitlement/sync-cognito-groups';
import { retryParked } from './parked-retry';
import { commitEntitlement, type EntitlementWriterDeps, normaliseSubscriptions } from './recompute-entitlement';
import { resolveStripeUser } from './resolve-stripe-user';

export interface StripeEventDeps extends EntitlementWriterDeps {
  profiles: Pick<ProfileStore, 'get' | 'findByStripeCustomerId' | 'unlinkStripeCustomer'>;
  stripe: SubscriptionSource;
  parked: ParkedEventStore;
  /** Account tombstones: events of a deleted account's customer are ignored instead of parked. */
  tombstones?: Pick<AccountTombstoneReader, 'isDeletedCustomer'>;
  /** How an event's object is read (the deployed schema). @default normaliseEvent */
  readEvent?: EventReader;
  /** Credit ledgers: paid credit pack sales are credited here (without it they are ignored). */
  credits?: CreditBook;
}

export type ApplyOutcome =
  | {
      kind: 'applied';
      sub: string;
      changed: boolean;
      entitlement: Entitlement;
      groups: GroupChange;
      /** Stripe API calls this event made (0 in the common case). */
      stripeReads: number;
    }
  | { kind: 'parked'; reason: ParkReason; detail: string }
  /** A paid credit pack sale: granted now, or already granted by an earlier delivery. */
  | { kind: 'credited'; sub: string; granted: boolean; balance: number; stripeReads: number }
  | { kind: 'ignored'; reason: string };

export interface ApplyOptions {
  /** A sub already established for this customer (checkout completion passes it to parked events). */
  knownSub?: string;
  /** Re-applying a parked event: do not park it again, do not cascade into another parked-event retry. */
  fromParked?: boolean;
}

/**
 * How one event moves the customer's stored state: `undefined` when it changes nothing. `reread` lists the
 * customer's subscriptions from Stripe (at most once per delivery).
 */
export type OrderingStep = (
  state: CustomerState,
  event: NormalisedEvent,
  catalog: StripeEventDeps['catalog'],
  reread: () => Promise<NormalisedSubscription[]>,
) => Promise<CustomerState | undefined>;

/** The shipped step: the ordering guard trusts a newer payload (no Stripe call) and re-reads Stripe on a tie only. */
export const payloadFirst: OrderingStep = async (state, event, catalog, reread) => {
  const step = transition(state, event, catalog);
  if (step.kind === 'tie') return withStripeSubscriptions(step.state, await reread(), catalog, event);
  return step.kind === 'applied' ? step.state : undefined;
};

export type ApplyStripeEvent = (
  deps: StripeEventDeps,
  event: NormalisedEvent,
  payload: string,
  options?: ApplyOptions,
) => Promise<ApplyOutcome>;

/**
 * Applies one verified, normalised Stripe event: resolve the user (or park the event), then update the derived
 * entitlement with the ordering guard (newer payload: zero Stripe calls; same-second tie: re-read the customer's
 * subscriptions), then audit and Cognito groups. Idempotent: applying it again changes nothing.
 */
export const applyStripeEvent: ApplyStripeEvent = stripeEventApplier(payloadFirst);

/** The apply function with another ordering step (bench/ builds its re-read-every-event baseline with it). */
export function stripeEventApplier(orderingStep: OrderingStep): ApplyStripeEvent {
  const apply: ApplyStripeEvent = (deps, event, payload, options = {}) =>
    applyWith(orderingStep, apply, deps, event, payload, options);
  return apply;
}

async function applyWith(
  orderingStep: OrderingStep,
  self: ApplyStripeEvent,
  deps: StripeEventDeps,
  event: NormalisedEvent,
  payload: string,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  let stripeReads = 0;
  if (event.signal.kind === 'refund' || event.signal.kind === 'dispute') {
    // Decided on the charge as Stripe has it now (amounts after any failed refund, the invoice it paid).
    stripeReads += 1;
    const read = await deps.stripe.readCharge(event.signal.chargeId);
    if (!read) return { kind: 'ignored', reason: `charge ${event.signal.chargeId} is not in Stripe` };
    const charge = { ...read, readAt: deps.clock.now().getTime() };
    event = { ...event, customerId: event.customerId ?? read.customerId, signal: { ...event.signal, charge } };
  }
  const customerId = event.customerId;
  if (customerId === null) return { kind: 'ignored', reason: 'the event names no Stripe customer' };

  const { signal } = event;
  if (signal.kind === 'credit-purchase' && (!signal.paid || !signal.sale || !deps.credits)) {
    return { kind: 'ignored', reason: 'nothing to credit (not a paid credit pack sale)' };
  }
  const resolution = await resolveStripeUser(
    {
      ...deps,
      stripe: {
        retrieveCustomer: (id) => {
          stripeReads += 1;
          return deps.stripe.retrieveCustomer(id);
        },
      },
    },
    {
      customerId,
      metadataSub:
        'metadataSub' in signal
          ? signal.metadataSub
          : signal.kind === 'subscription'
            ? signal.subscription.metadataSub
            : null,
      clientReferenceId:
        signal.kind === 'checkout' || signal.kind === 'credit-purchase' ? signal.clientReferenceId : null,
      knownSub: options.knownSub,
    },
  );
  if (resolution.kind === 'deleted') {
    logger.info('Stripe event ignored: account deleted', { eventId: event.id, type: event.type, customerId });
    return { kind: 'ignored', reason: resolution.reason };
  }
  if (resolution.kind !== 'resolved') {
    if (!options.fromParked) {
      await deps.parked.park({
        eventId: event.id,
        type: event.type,
        stripeCustomerId: customerId,
        reason: resolution.kind,
        detail: resolution.reason,
        payload,
        createdAt: deps.clock.now().toISOString(),
      });
    }
    logger.warn('Stripe event parked: user not resolved', {
      eventId: event.id,
      type: event.type,
      customerId,
      reason: resolution.kind,
      detail: resolution.reason,
    });
    return { kind: 'parked', reason: resolution.kind, detail: resolution.reason };
  }

  if (signal.kind === 'credit-purchase' && signal.sale && deps.credits) {
    const credited = await creditSale(
      { credits: deps.credits, clock: deps.clock },
      resolution.sub,
      signal.sale,
      event.id,
    );
    return {
      kind: 'credited',
      sub: credited.sub,
      granted: credited.kind === 'granted',
      balance: credited.balance,
      stripeReads,
    };
  }

  // The Stripe re-read happens at most once per delivery, even across lost write races.
  let reread: Promise<NormalisedSubscription[]> | undefined;
  const stripeSubscriptions = () => {
    if (!reread) {
      stripeReads += 1;
      reread = deps.stripe.listForCustomer(customerId).then(normaliseSubscriptions);
    }
    return reread;
  };
  const decide = (state: CustomerState) => orderingStep(state, event, deps.catalog, stripeSubscriptions);

  const email = signal.kind === 'checkout' || signal.kind === 'customer-deleted' ? signal.email : null;
  const result = await commitEntitlement(
    deps,
    {
      sub: resolution.sub,
      stripeCustomerId: customerId,
      ...(email ? { email: email.toLowerCase() } : {}),
      record: resolution.record,
      profile: resolution.profile,
    },
    event,
    decide,
  );
  if (result.changed) {
    logger.info('entitlement updated from Stripe event', {
      eventId: event.id,
      type: event.type,
      sub: resolution.sub,
      from: result.before ? `${result.before.plan}/${result.before.status}` : 'none',
      to: `${result.record.plan}/${result.record.status}`,
      groupsAdded: result.groups.added,
      groupsRemoved: result.groups.removed,
      stripeReads,
    });
  }

  if (signal.kind === 'customer-deleted') {
    // The customer is gone in Stripe: the profile stops naming it (only if it still does), so checkout and the
    // portal find or create the live one and its events resolve to this user instead of a conflict.
    const unlinked = await deps.profiles.unlinkStripeCustomer(resolution.sub, customerId, deps.clock.now());
    if (unlinked) logger.info('deleted Stripe customer unlinked from the profile', { sub: resolution.sub, customerId });
  }

  if (signal.kind === 'checkout' && !options.fromParked) {
    // The session links this customer to a user: events parked before the link existed can apply now.
    const parked = await deps.parked.listByCustomer(customerId);
    await retryParked(deps.parked, parked, (...args) => self(deps, ...args), {
      knownSub: resolution.sub,
      readEvent: deps.readEvent,
    });
  }
  return {
    kind: 'applied',
    sub: resolution.sub,
    changed: result.changed,
    entitlement: entitlementOf(result.record),
    groups: result.groups,
    stripeReads,
  };
}
