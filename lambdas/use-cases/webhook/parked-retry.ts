import type { NormalisedEvent } from '../../domain/stripe-events';
import { type EventReader, readStripeEvent } from '../../domain/stripe-read';
import { logger } from '../../platform/logger';
import type { ParkedEvent, ParkedEventStore } from '../../ports/webhook-ports';

export interface ParkedRetryResult {
  /** Applied (or found to have no effect) and removed from ParkedEvents. */
  applied: number;
  /** Still unresolved, conflicting or unreadable: kept for the next retry and for operators. */
  stillParked: number;
}

/** How a parked event is applied: the webhook's applyStripeEvent, passed in (it calls this module too). */
export type ApplyParkedEvent = (
  event: NormalisedEvent,
  payload: string,
  options: { knownSub?: string; fromParked: true },
) => Promise<{ kind: string }>;

export interface ParkedRetryOptions {
  /** A sub already established for this customer (checkout completion). */
  knownSub?: string | undefined;
  /** The deployed schema: an event parked as unfit applies once this can read it. @default normaliseEvent */
  readEvent?: EventReader | undefined;
}

/**
 * Re-applies parked events oldest first, removing each that now applies. Safe any time, concurrently too: applying
 * an event twice changes nothing (the ordering guard and the one-way registers of the entitlement record), so an
 * event Stripe redelivered and the webhook applied meanwhile is applied again without effect. The webhook ledger
 * already holds every parked event's id (recorded when it was parked), so a later redelivery is a duplicate.
 */
export async function retryParked(
  store: Pick<ParkedEventStore, 'remove'>,
  parked: ParkedEvent[],
  apply: ApplyParkedEvent,
  options: ParkedRetryOptions = {},
): Promise<ParkedRetryResult> {
  const result: ParkedRetryResult = { applied: 0, stillParked: 0 };
  const ordered = [...parked].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.eventId.localeCompare(b.eventId),
  );
  for (const entry of ordered) {
    const read = readStripeEvent(JSON.parse(entry.payload), options.readEvent);
    if (read.kind === 'ignored') {
      await store.remove(entry.eventId);
      continue;
    }
    if (read.kind !== 'event') {
      // Still not readable by this deploy: kept (ReconcileParkedEvents counts it) until a deploy can read it.
      result.stillParked += 1;
      logger.info('parked Stripe event still does not fit the schema', {
        eventId: entry.eventId,
        type: entry.type,
        detail: read.reason,
      });
      continue;
    }
    const outcome = await apply(read.event, entry.payload, { knownSub: options.knownSub, fromParked: true });
    if (outcome.kind === 'parked') {
      result.stillParked += 1;
      continue;
    }
    await store.remove(entry.eventId);
    result.applied += 1;
    logger.info('parked Stripe event applied', {
      eventId: entry.eventId,
      type: entry.type,
      reason: entry.reason,
      outcome: outcome.kind,
    });
  }
  return result;
}
