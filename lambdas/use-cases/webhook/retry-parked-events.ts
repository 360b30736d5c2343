import { isHandledEventType, normaliseEvent, parseEventEnvelope } from '../../domain/stripe-events';
import { logger } from '../../platform/logger';
import type { ParkedEvent } from '../../ports/webhook-ports';
import { applyStripeEvent, type StripeEventDeps } from './apply-stripe-event';

export interface ParkedRetryResult {
  /** Applied (or found to have no effect) and removed from ParkedEvents. */
  applied: number;
  /** Still unresolved or conflicting: kept for the next retry and for operators. */
  stillParked: number;
}

/**
 * Re-applies the events parked for one Stripe customer (oldest first), removing each that now resolves to a
 * user. Called when the link appears: checkout completion (with the session's user as `knownSub`), profile
 * creation, and reconcile. Safe to call any time, concurrently too: applying an event twice changes nothing.
 */
export async function retryParkedEventsForCustomer(
  deps: StripeEventDeps,
  stripeCustomerId: string,
  options: { knownSub?: string } = {},
): Promise<ParkedRetryResult> {
  const parked = await deps.parked.listByCustomer(stripeCustomerId);
  return retryEach(deps, parked, options.knownSub);
}

/** Re-applies every parked event (reconcile's sweep). */
export async function retryAllParkedEvents(deps: StripeEventDeps): Promise<ParkedRetryResult> {
  return retryEach(deps, await deps.parked.listAll(), undefined);
}

async function retryEach(
  deps: StripeEventDeps,
  parked: ParkedEvent[],
  knownSub: string | undefined,
): Promise<ParkedRetryResult> {
  const result: ParkedRetryResult = { applied: 0, stillParked: 0 };
  const ordered = [...parked].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.eventId.localeCompare(b.eventId),
  );
  for (const entry of ordered) {
    const envelope = parseEventEnvelope(JSON.parse(entry.payload));
    if (!isHandledEventType(envelope.type)) {
      await deps.parked.remove(entry.eventId);
      continue;
    }
    const event = normaliseEvent({ ...envelope, type: envelope.type });
    const outcome = await applyStripeEvent(deps, event, entry.payload, { knownSub, fromParked: true });
    if (outcome.kind === 'parked') {
      result.stillParked += 1;
      continue;
    }
    await deps.parked.remove(entry.eventId);
    result.applied += 1;
    logger.info('parked Stripe event applied', { eventId: entry.eventId, type: entry.type, outcome: outcome.kind });
  }
  return result;
}
