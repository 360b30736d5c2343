import { z } from 'zod';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from './entitlement';
import type { StripePriceLike } from './plan-catalog';

/**
 * Boundary schemas for the Stripe events the webhook handles, and normalisers that turn both API-version shapes
 * into one small internal form. Pure module: no Stripe SDK. Schemas are loose (Stripe adds fields every release)
 * but strict about the fields we act on.
 *
 * Version differences handled here:
 * - billing period: on subscription items since 2025-03-31 (basil), on the subscription before;
 * - invoice subscription: `invoice.parent.subscription_details.subscription` now, `invoice.subscription` before;
 * - `price.lookup_key`, `price.nickname` and `event.api_version` may be null.
 */

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
  'checkout.session.completed',
  'customer.deleted',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

export function isHandledEventType(type: string): type is HandledEventType {
  return (HANDLED_EVENT_TYPES as readonly string[]).includes(type);
}

const epochSeconds = z.number().int().nonnegative();
const metadataSchema = z.record(z.string(), z.string()).nullish();
/** An id reference that Stripe may also send expanded. */
const idRef = z.union([z.string().min(1), z.looseObject({ id: z.string().min(1) })]);

/** The event envelope: anything else is "not a Stripe event". */
export const stripeEventEnvelopeSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  created: epochSeconds,
  api_version: z.string().nullish(),
  livemode: z.boolean().optional(),
  data: z.looseObject({ object: z.looseObject({}) }),
});
export type StripeEventEnvelope = z.infer<typeof stripeEventEnvelopeSchema>;

const priceSchema = z.looseObject({
  id: z.string().min(1),
  lookup_key: z.string().nullish(),
  nickname: z.string().nullish(),
  metadata: metadataSchema,
  product: z.union([z.string(), z.looseObject({ id: z.string().optional(), metadata: metadataSchema })]).nullish(),
});

const subscriptionItemSchema = z.looseObject({
  id: z.string().optional(),
  price: priceSchema,
  current_period_start: epochSeconds.nullish(),
  current_period_end: epochSeconds.nullish(),
});

export const subscriptionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('subscription').optional(),
  customer: idRef,
  status: z.enum(SUBSCRIPTION_STATUSES),
  cancel_at_period_end: z.boolean().nullish(),
  cancel_at: epochSeconds.nullish(),
  /** Pre-basil (before 2025-03-31) only. */
  current_period_start: epochSeconds.nullish(),
  current_period_end: epochSeconds.nullish(),
  trial_end: epochSeconds.nullish(),
  created: epochSeconds.optional(),
  metadata: metadataSchema,
  items: z.looseObject({ data: z.array(subscriptionItemSchema) }),
});
export type StripeSubscriptionPayload = z.infer<typeof subscriptionSchema>;

const invoiceSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('invoice').optional(),
  customer: idRef.nullish(),
  /** Before 2025-03-31. */
  subscription: idRef.nullish(),
  parent: z
    .looseObject({
      subscription_details: z.looseObject({ subscription: idRef.nullish(), metadata: metadataSchema }).nullish(),
    })
    .nullish(),
  /** Legacy location of the subscription's metadata snapshot. */
  subscription_details: z.looseObject({ metadata: metadataSchema }).nullish(),
  metadata: metadataSchema,
});

const checkoutSessionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('checkout.session').optional(),
  customer: idRef.nullish(),
  client_reference_id: z.string().nullish(),
  subscription: idRef.nullish(),
  metadata: metadataSchema,
  customer_details: z.looseObject({ email: z.string().nullish() }).nullish(),
  customer_email: z.string().nullish(),
});

const customerSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('customer').optional(),
  email: z.string().nullish(),
  metadata: metadataSchema,
});

const chargeSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('charge').optional(),
  customer: idRef.nullish(),
  amount: z.number().int().nonnegative(),
  amount_refunded: z.number().int().nonnegative(),
  refunded: z.boolean(),
  metadata: metadataSchema,
});

const disputeSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('dispute').optional(),
  charge: z.union([z.string().min(1), z.looseObject({ id: z.string().min(1), customer: idRef.nullish() })]),
  status: z.string().min(1),
});

/** Subscription state as the policy reads it, from either API-version shape. Times are epoch seconds. */
export interface NormalisedSubscription {
  id: string;
  customerId: string;
  status: SubscriptionStatus;
  prices: StripePriceLike[];
  /** The price that decides the plan, for logs (lookup key or id). */
  priceLabel: string;
  cancelAtPeriodEnd: boolean;
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
  trialEnd: number | null;
  metadataSub: string | null;
}

/** The part of an event that matters to entitlements, one variant per family of event types. */
export type StripeSignal =
  | { kind: 'subscription'; subscription: NormalisedSubscription }
  | { kind: 'invoice'; invoiceId: string; paid: boolean; subscriptionId: string | null; metadataSub: string | null }
  | {
      kind: 'checkout';
      sessionId: string;
      clientReferenceId: string | null;
      metadataSub: string | null;
      subscriptionId: string | null;
      email: string | null;
    }
  | { kind: 'customer-deleted'; metadataSub: string | null; email: string | null }
  | { kind: 'refund'; chargeId: string; full: boolean; metadataSub: string | null }
  | { kind: 'dispute'; disputeId: string; chargeId: string; open: boolean; lost: boolean };

export interface NormalisedEvent {
  id: string;
  type: HandledEventType;
  /** Epoch seconds (1 s resolution: ties are common). */
  created: number;
  apiVersion: string | null;
  /** Null when the object names no customer (a dispute names its charge: resolved through Stripe). */
  customerId: string | null;
  signal: StripeSignal;
}

export class InvalidStripeEventError extends Error {
  override name = 'InvalidStripeEventError';
}

/** Metadata keys that name our user, newest convention first. */
const SUB_METADATA_KEYS = ['cognito_sub', 'cognito_user_id', 'user_id', 'userId'] as const;

export function subFromMetadata(metadata: Record<string, string> | null | undefined): string | null {
  for (const key of SUB_METADATA_KEYS) {
    const value = metadata?.[key]?.trim();
    if (value) return value;
  }
  return null;
}

function idOf(ref: string | { id: string } | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

function minOf(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length ? Math.min(...present) : null;
}

function maxOf(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length ? Math.max(...present) : null;
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new InvalidStripeEventError(`invalid ${what}: ${where}: ${issue?.message ?? 'does not match'}`);
  }
  return result.data;
}

/**
 * Normalises a subscription object of any supported API version. The billing period comes from the items
 * (basil+) or the subscription (older); a scheduled `cancel_at` counts as cancelling at that time.
 */
export function normaliseSubscription(input: unknown): NormalisedSubscription {
  const sub = parseWith(subscriptionSchema, input, 'subscription');
  const items = sub.items.data;
  const periodEnd = maxOf(items.map((item) => item.current_period_end)) ?? sub.current_period_end ?? null;
  const periodStart = minOf(items.map((item) => item.current_period_start)) ?? sub.current_period_start ?? null;
  const cancelAt = sub.cancel_at ?? null;
  const cancelAtPeriodEnd = sub.cancel_at_period_end === true || cancelAt !== null;
  const effectiveEnd = cancelAt !== null ? minOf([cancelAt, periodEnd]) : periodEnd;
  const first = items[0]?.price;
  return {
    id: sub.id,
    customerId: idOf(sub.customer) ?? '',
    status: sub.status,
    prices: items.map((item) => item.price),
    priceLabel: first ? (first.lookup_key ?? first.id) : '(no items)',
    cancelAtPeriodEnd,
    currentPeriodStart: periodStart,
    currentPeriodEnd: effectiveEnd,
    trialEnd: sub.trial_end ?? null,
    metadataSub: subFromMetadata(sub.metadata),
  };
}

const DISPUTE_OPEN_STATUSES = new Set([
  'warning_needs_response',
  'warning_under_review',
  'needs_response',
  'under_review',
]);

/**
 * Validates a verified event's object for its type and normalises it. Throws InvalidStripeEventError (a 400) when
 * a handled type carries an object that does not fit. Call only for handled types.
 */
export function normaliseEvent(envelope: StripeEventEnvelope & { type: HandledEventType }): NormalisedEvent {
  const object = envelope.data.object;
  const base = {
    id: envelope.id,
    type: envelope.type,
    created: envelope.created,
    apiVersion: envelope.api_version ?? null,
  };
  switch (envelope.type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
    case 'customer.subscription.paused':
    case 'customer.subscription.resumed':
    case 'customer.subscription.trial_will_end': {
      const subscription = normaliseSubscription(object);
      return { ...base, customerId: subscription.customerId, signal: { kind: 'subscription', subscription } };
    }
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
    case 'invoice.payment_failed': {
      const invoice = parseWith(invoiceSchema, object, 'invoice');
      const details = invoice.parent?.subscription_details;
      return {
        ...base,
        customerId: idOf(invoice.customer),
        signal: {
          kind: 'invoice',
          invoiceId: invoice.id,
          paid: envelope.type !== 'invoice.payment_failed',
          subscriptionId: idOf(details?.subscription) ?? idOf(invoice.subscription),
          metadataSub:
            subFromMetadata(details?.metadata) ??
            subFromMetadata(invoice.subscription_details?.metadata) ??
            subFromMetadata(invoice.metadata),
        },
      };
    }
    case 'checkout.session.completed': {
      const session = parseWith(checkoutSessionSchema, object, 'checkout session');
      return {
        ...base,
        customerId: idOf(session.customer),
        signal: {
          kind: 'checkout',
          sessionId: session.id,
          clientReferenceId: session.client_reference_id?.trim() || null,
          metadataSub: subFromMetadata(session.metadata),
          subscriptionId: idOf(session.subscription),
          email: session.customer_details?.email ?? session.customer_email ?? null,
        },
      };
    }
    case 'customer.deleted': {
      const customer = parseWith(customerSchema, object, 'customer');
      return {
        ...base,
        customerId: customer.id,
        signal: {
          kind: 'customer-deleted',
          metadataSub: subFromMetadata(customer.metadata),
          email: customer.email ?? null,
        },
      };
    }
    case 'charge.refunded': {
      const charge = parseWith(chargeSchema, object, 'charge');
      return {
        ...base,
        customerId: idOf(charge.customer),
        signal: {
          kind: 'refund',
          chargeId: charge.id,
          full: charge.refunded || (charge.amount > 0 && charge.amount_refunded >= charge.amount),
          metadataSub: subFromMetadata(charge.metadata),
        },
      };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const dispute = parseWith(disputeSchema, object, 'dispute');
      const charge = dispute.charge;
      const open = envelope.type === 'charge.dispute.created' || DISPUTE_OPEN_STATUSES.has(dispute.status);
      return {
        ...base,
        customerId: typeof charge === 'string' ? null : idOf(charge.customer),
        signal: {
          kind: 'dispute',
          disputeId: dispute.id,
          chargeId: typeof charge === 'string' ? charge : charge.id,
          open: open && envelope.type !== 'charge.dispute.closed',
          lost: envelope.type === 'charge.dispute.closed' && dispute.status === 'lost',
        },
      };
    }
  }
}

/** Parses an untrusted JSON value as an event envelope; throws InvalidStripeEventError ("not a Stripe event"). */
export function parseEventEnvelope(value: unknown): StripeEventEnvelope {
  return parseWith(stripeEventEnvelopeSchema, value, 'Stripe event');
}
