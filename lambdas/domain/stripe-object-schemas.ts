import { z } from 'zod';
import { SUBSCRIPTION_STATUSES } from './entitlement';
import { epochSeconds, idRef, metadataSchema } from './stripe-parsing';

/**
 * One schema per Stripe object a handled event carries. Loose (Stripe adds fields every release) but strict about
 * the fields we act on; fields that moved between API versions are all optional here and picked in normalisation.
 */

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
  pause_collection: z.looseObject({ behavior: z.string().min(1), resumes_at: epochSeconds.nullish() }).nullish(),
  /** Pre-basil (before 2025-03-31) only. */
  current_period_start: epochSeconds.nullish(),
  current_period_end: epochSeconds.nullish(),
  trial_end: epochSeconds.nullish(),
  created: epochSeconds.optional(),
  metadata: metadataSchema,
  items: z.looseObject({ data: z.array(subscriptionItemSchema) }),
});
export type StripeSubscriptionPayload = z.infer<typeof subscriptionSchema>;

export const invoiceSchema = z.looseObject({
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
  amount_paid: z.number().int().nonnegative().nullish(),
  status_transitions: z.looseObject({ paid_at: epochSeconds.nullish() }).nullish(),
});

export const checkoutSessionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('checkout.session').optional(),
  customer: idRef.nullish(),
  client_reference_id: z.string().nullish(),
  subscription: idRef.nullish(),
  mode: z.string().nullish(),
  payment_status: z.string().nullish(),
  payment_intent: idRef.nullish(),
  metadata: metadataSchema,
  customer_details: z.looseObject({ email: z.string().nullish() }).nullish(),
  customer_email: z.string().nullish(),
});

export const customerSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('customer').optional(),
  email: z.string().nullish(),
  metadata: metadataSchema,
});

export const chargeSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('charge').optional(),
  customer: idRef.nullish(),
  amount: z.number().int().nonnegative(),
  amount_refunded: z.number().int().nonnegative(),
  refunded: z.boolean(),
  metadata: metadataSchema,
});

export const refundSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('refund').optional(),
  charge: idRef,
  status: z.string().nullish(),
  metadata: metadataSchema,
});

export const disputeSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('dispute').optional(),
  charge: z.union([z.string().min(1), z.looseObject({ id: z.string().min(1), customer: idRef.nullish() })]),
  status: z.string().min(1),
});
