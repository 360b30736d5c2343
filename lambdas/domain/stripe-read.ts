import {
  type HandledEventType,
  isHandledEventType,
  parseEventEnvelope,
  type StripeEventEnvelope,
} from './stripe-envelope';
import { normaliseEvent } from './stripe-normalise';
import type { NormalisedEvent } from './stripe-normalised';
import { InvalidStripeEventError } from './stripe-parsing';

/**
 * Reading a verified Stripe event, in three outcomes the webhook treats differently:
 * - `not-stripe`: the envelope does not fit (no id, type, created or data.object): not a Stripe event at all (400);
 * - `ignored`: a type we do not handle (200);
 * - `unfit`: a handled type whose object does not fit our schema (a newer API version, a field we read wrongly):
 *   a genuine Stripe event that must not be lost, parked with the reason until a deploy that can read it;
 * - `event`: the normalised event.
 */

/** How an envelope's object becomes the internal form: the deployed schema (`normaliseEvent`), injectable. */
export type EventReader = (envelope: StripeEventEnvelope & { type: HandledEventType }) => NormalisedEvent;

export type EventRead =
  | { kind: 'not-stripe'; reason: string }
  | { kind: 'ignored'; type: string }
  | { kind: 'unfit'; id: string; type: HandledEventType; customerId: string; reason: string }
  | { kind: 'event'; event: NormalisedEvent };

/** Reads a parsed JSON value; never throws InvalidStripeEventError (other errors are bugs and propagate). */
export function readStripeEvent(value: unknown, reader: EventReader = normaliseEvent): EventRead {
  let envelope: StripeEventEnvelope;
  try {
    envelope = parseEventEnvelope(value);
  } catch (error) {
    if (error instanceof InvalidStripeEventError) return { kind: 'not-stripe', reason: oneLine(error.message) };
    throw error;
  }
  const { type } = envelope;
  if (!isHandledEventType(type)) return { kind: 'ignored', type };
  try {
    return { kind: 'event', event: reader({ ...envelope, type }) };
  } catch (error) {
    if (!(error instanceof InvalidStripeEventError)) throw error;
    return {
      kind: 'unfit',
      id: envelope.id,
      type,
      customerId: customerHint(envelope.data.object),
      reason: oneLine(error.message),
    };
  }
}

/**
 * The customer an unfit object most likely names (for the parked record's CustomerIndex, so the customer's own
 * retries find it): a customer object's id, else its `customer` field as id or expanded object; '' when none.
 */
function customerHint(object: Record<string, unknown>): string {
  if (object.object === 'customer' && typeof object.id === 'string') return object.id;
  const ref = object.customer;
  if (typeof ref === 'string') return ref;
  if (ref !== null && typeof ref === 'object' && typeof (ref as { id?: unknown }).id === 'string') {
    return (ref as { id: string }).id;
  }
  return '';
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ');
}
