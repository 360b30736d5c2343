import { SUBSCRIPTION_STATUSES } from './entitlement';
import { epochSeconds, idRef, metadataSchema } from './stripe-parsing';
import * as z from './zod-mini';

/**
 * One schema per Stripe object a handled event carries. Loose (Stripe adds fields every release) but strict about
 * the fields we act on; fields that moved between API versions are all optional here and picked in normalisation.
 */

/** A non-empty string. */
const nonEmpty = z.string().check(z.minLength(1));
const nonNegativeInt = z.number().check(z.int(), z.nonnegative());

const priceSchema = z.looseObject({
  id: nonEmpty,
  lookup_key: z.nullish(z.string()),
  nickname: z.nullish(z.string()),
  metadata: metadataSchema,
  product: z.nullish(z.union([z.string(), z.looseObject({ id: z.optional(z.string()), metadata: metadataSchema })])),
});

const subscriptionItemSchema = z.looseObject({
  id: z.optional(z.string()),
  price: priceSchema,
  current_period_start: z.nullish(epochSeconds),
  current_period_end: z.nullish(epochSeconds),
});

export const subscriptionSchema = z.looseObject({
  id: nonEmpty,
  object: z.optional(z.literal('subscription')),
  customer: idRef,
  status: z.enum(SUBSCRIPTION_STATUSES),
  cancel_at_period_end: z.nullish(z.boolean()),
  cancel_at: z.nullish(epochSeconds),
  pause_collection: z.nullish(z.looseObject({ behavior: nonEmpty, resumes_at: z.nullish(epochSeconds) })),
  /** Pre-basil (before 2025-03-31) only. */
  current_period_start: z.nullish(epochSeconds),
  current_period_end: z.nullish(epochSeconds),
  trial_end: z.nullish(epochSeconds),
  created: z.optional(epochSeconds),
  metadata: metadataSchema,
  items: z.looseObject({ data: z.array(subscriptionItemSchema) }),
});
export type StripeSubscriptionPayload = z.infer<typeof subscriptionSchema>;

export const invoiceSchema = z.looseObject({
  id: nonEmpty,
  object: z.optional(z.literal('invoice')),
  customer: z.nullish(idRef),
  /** Before 2025-03-31. */
  subscription: z.nullish(idRef),
  parent: z.nullish(
    z.looseObject({
      subscription_details: z.nullish(z.looseObject({ subscription: z.nullish(idRef), metadata: metadataSchema })),
    }),
  ),
  /** Legacy location of the subscription's metadata snapshot. */
  subscription_details: z.nullish(z.looseObject({ metadata: metadataSchema })),
  metadata: metadataSchema,
  amount_paid: z.nullish(nonNegativeInt),
  status_transitions: z.nullish(z.looseObject({ paid_at: z.nullish(epochSeconds) })),
});

export const checkoutSessionSchema = z.looseObject({
  id: nonEmpty,
  object: z.optional(z.literal('checkout.session')),
  customer: z.nullish(idRef),
  client_reference_id: z.nullish(z.string()),
  subscription: z.nullish(idRef),
  mode: z.nullish(z.string()),
  payment_status: z.nullish(z.string()),
  payment_intent: z.nullish(idRef),
  metadata: metadataSchema,
  customer_details: z.nullish(z.looseObject({ email: z.nullish(z.string()) })),
  customer_email: z.nullish(z.string()),
});

export const customerSchema = z.looseObject({
  id: nonEmpty,
  object: z.optional(z.literal('customer')),
  email: z.nullish(z.string()),
  metadata: metadataSchema,
});

export const chargeSchema = z.looseObject({
  id: nonEmpty,
  object: z.optional(z.literal('charge')),
  customer: z.nullish(idRef),
  amount: nonNegativeInt,
  amount_refunded: nonNegativeInt,
  refunded: z.boolean(),
  metadata: metadataSchema,
});

export const refundSchema = z.looseObject({
  id: nonEmpty,
  object: z.optional(z.literal('refund')),
  charge: idRef,
  status: z.nullish(z.string()),
  metadata: metadataSchema,
});

export const disputeSchema = z.looseObject({
  id: nonEmpty,
  object: z.optional(z.literal('dispute')),
  charge: z.union([nonEmpty, z.looseObject({ id: nonEmpty, customer: z.nullish(idRef) })]),
  status: nonEmpty,
});
