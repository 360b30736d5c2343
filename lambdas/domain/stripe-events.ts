/**
 * Boundary schemas for the Stripe events the webhook handles, and normalisers that turn both API-version shapes
 * into one small internal form. Pure modules: no Stripe SDK. This file is the entry point; the work lives in
 * - stripe-envelope.ts: the handled event types and the envelope;
 * - stripe-object-schemas.ts: one schema per Stripe object;
 * - stripe-normalised.ts: the internal form (subscription, signal, event);
 * - stripe-normalise.ts: object -> internal form, per API version;
 * - stripe-parsing.ts: the shared error, validation helper, field shapes and metadata sub.
 */

export {
  HANDLED_EVENT_TYPES,
  type HandledEventType,
  isHandledEventType,
  parseEventEnvelope,
  type StripeEventEnvelope,
  stripeEventEnvelopeSchema,
} from './stripe-envelope';
export { normaliseEvent, normaliseSubscription } from './stripe-normalise';
export type { NormalisedEvent, NormalisedSubscription, StripeSignal } from './stripe-normalised';
export { type StripeSubscriptionPayload, subscriptionSchema } from './stripe-object-schemas';
export { InvalidStripeEventError, subFromMetadata } from './stripe-parsing';
