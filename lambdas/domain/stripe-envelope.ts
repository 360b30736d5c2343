import { epochSeconds, parseWith } from './stripe-parsing';
import * as z from './zod-mini';

/** The event envelope and the event types the webhook acts on; anything else is acknowledged and ignored. */

export const HANDLED_EVENT_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.trial_will_end',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'customer.deleted',
  'charge.refunded',
  'charge.refund.updated',
  'refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_reinstated',
] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

export function isHandledEventType(type: string): type is HandledEventType {
  return (HANDLED_EVENT_TYPES as readonly string[]).includes(type);
}

/** The event envelope: anything else is "not a Stripe event". */
export const stripeEventEnvelopeSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  object: z.literal('event'),
  type: z.string().check(z.minLength(1)),
  created: epochSeconds,
  api_version: z.nullish(z.string()),
  livemode: z.optional(z.boolean()),
  data: z.looseObject({ object: z.looseObject({}) }),
});
export type StripeEventEnvelope = z.infer<typeof stripeEventEnvelopeSchema>;

/** Parses an untrusted JSON value as an event envelope; throws InvalidStripeEventError ("not a Stripe event"). */
export function parseEventEnvelope(value: unknown): StripeEventEnvelope {
  return parseWith(stripeEventEnvelopeSchema, value, 'Stripe event');
}
