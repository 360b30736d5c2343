import {
  isHandledEventType,
  type NormalisedEvent,
  normaliseEvent,
  parseEventEnvelope,
} from '../../domain/stripe-events';
import { logger } from '../../platform/logger';
import type { ParkedEvent, ParkedEventStore } from '../../ports/webhook-ports';

export interface ParkedRetryResult {
  /** Applied (or found to have no effect) and removed from ParkedEvents. */
  applied: number;
  /** Still unresolved or conflicting: kept for the next retry and for operators. */
  stillParked: number;
}

/** How a parked event is applied: the webhook's applyStripeEvent, passed in (it calls this module too). */
export type ApplyParkedEvent = (
  event: NormalisedEvent,
  payload: string,
  options: { knownSub?: string; fromParked: true },
) => Promise<{ kind: string }>;

/**
 * Re-applies parked events oldest first, removing each that now resolves to a user. Safe any time, concurrently
 * too: applying an event twice changes nothing.
 */
export async function retryParked(
  store: Pick<ParkedEventStore, 'remove'>,
  parked: ParkedEvent[],
  apply: ApplyParkedEvent,
  knownSub: string | undefined,
): Promise<ParkedRetryResult> {
  const result: ParkedRetryResult = { applied: 0, stillParked: 0 };
  const ordered = [...parked].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.eventId.localeCompare(b.eventId),
  );
  for (const entry of ordered) {
    const envelope = parseEventEnvelope(JSON.parse(entry.payload));
    if (!isHandledEventType(envelope.type)) {
      await store.remove(entry.eventId);
      continue;
    }
    const event = normaliseEvent({ ...envelope, type: envelope.type });
    const outcome = await apply(event, entry.payload, { knownSub, fromParked: true });
    if (outcome.kind === 'parked') {
      result.stillParked += 1;
      continue;
    }
    await store.remove(entry.eventId);
    result.applied += 1;
    logger.info('parked Stripe event applied', { eventId: entry.eventId, type: entry.type, outcome: outcome.kind });
  }
  return result;
}
