import { packSaleOf } from './credit-ledger';
import { disputeOutcomeOf } from './payment-facts';
import type { HandledEventType, StripeEventEnvelope } from './stripe-envelope';
import type { NormalisedEvent, NormalisedSubscription, StripeSignal } from './stripe-normalised';
import {
  chargeSchema,
  checkoutSessionSchema,
  customerSchema,
  disputeSchema,
  invoiceSchema,
  refundSchema,
  subscriptionSchema,
} from './stripe-object-schemas';
import { idOf, parseWith, subFromMetadata } from './stripe-parsing';

/**
 * Validates a handled event's object and turns it into the internal form. Version differences handled here:
 * - billing period: on subscription items since 2025-03-31 (basil), on the subscription before;
 * - invoice subscription: `invoice.parent.subscription_details.subscription` now, `invoice.subscription` before;
 * - `price.lookup_key`, `price.nickname` and `event.api_version` may be null.
 */

type Normalised = Pick<NormalisedEvent, 'customerId' | 'signal'>;

function minOf(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length ? Math.min(...present) : null;
}

function maxOf(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length ? Math.max(...present) : null;
}

/**
 * Normalises a subscription object of any supported API version. The billing period comes from the items
 * (basil+) or the subscription (older); `cancel_at` is kept as its own date (it may lie beyond this period).
 */
export function normaliseSubscription(input: unknown): NormalisedSubscription {
  const sub = parseWith(subscriptionSchema, input, 'subscription');
  const items = sub.items.data;
  const periodEnd = maxOf(items.map((item) => item.current_period_end)) ?? sub.current_period_end ?? null;
  const periodStart = minOf(items.map((item) => item.current_period_start)) ?? sub.current_period_start ?? null;
  const cancelAt = sub.cancel_at ?? (sub.cancel_at_period_end === true ? periodEnd : null);
  const cancelAtPeriodEnd = sub.cancel_at_period_end === true || (cancelAt !== null && cancelAt === periodEnd);
  const pause = sub.pause_collection;
  const first = items[0]?.price;
  return {
    id: sub.id,
    customerId: idOf(sub.customer) ?? '',
    status: sub.status,
    prices: items.map((item) => item.price),
    priceLabel: first ? (first.lookup_key ?? first.id) : '(no items)',
    cancelAtPeriodEnd,
    cancelAt,
    pauseCollection: pause ? { behavior: pause.behavior, resumesAt: pause.resumes_at ?? null } : null,
    currentPeriodStart: periodStart,
    currentPeriodEnd: periodEnd,
    trialEnd: sub.trial_end ?? null,
    metadataSub: subFromMetadata(sub.metadata),
    checkoutClaim: checkoutClaimOf(sub.metadata),
  };
}

function checkoutClaimOf(metadata: Record<string, string> | null | undefined) {
  const plan = metadata?.plan?.trim();
  const priceId = metadata?.price_id?.trim();
  return plan && priceId ? { plan, priceId } : null;
}

const INVOICE_OUTCOMES = {
  'invoice.paid': 'paid',
  'invoice.payment_succeeded': 'paid',
  'invoice.payment_failed': 'failed',
  'invoice.voided': 'closed',
  'invoice.marked_uncollectible': 'closed',
} as const;

function invoiceSignal(object: unknown, type: keyof typeof INVOICE_OUTCOMES): Normalised {
  const invoice = parseWith(invoiceSchema, object, 'invoice');
  const details = invoice.parent?.subscription_details;
  return {
    customerId: idOf(invoice.customer),
    signal: {
      kind: 'invoice',
      invoiceId: invoice.id,
      outcome: INVOICE_OUTCOMES[type],
      subscriptionId: idOf(details?.subscription) ?? idOf(invoice.subscription),
      amountPaid: invoice.amount_paid ?? null,
      metadataSub:
        subFromMetadata(details?.metadata) ??
        subFromMetadata(invoice.subscription_details?.metadata) ??
        subFromMetadata(invoice.metadata),
    },
  };
}

function checkoutSignal(object: unknown, type: HandledEventType): Normalised {
  const session = parseWith(checkoutSessionSchema, object, 'checkout session');
  if (session.mode === 'payment' || type !== 'checkout.session.completed') {
    // Payment mode (credit packs); the async events of a subscription checkout carry nothing to credit either.
    const paymentIntentId = idOf(session.payment_intent);
    return {
      customerId: idOf(session.customer),
      signal: {
        kind: 'credit-purchase',
        sessionId: session.id,
        clientReferenceId: session.client_reference_id?.trim() || null,
        metadataSub: subFromMetadata(session.metadata),
        paid: session.payment_status === 'paid' && type !== 'checkout.session.async_payment_failed',
        sale: session.mode === 'payment' ? packSaleOf(session.id, session.metadata, paymentIntentId) : null,
      },
    };
  }
  return {
    customerId: idOf(session.customer),
    signal: {
      kind: 'checkout',
      sessionId: session.id,
      clientReferenceId: session.client_reference_id?.trim() || null,
      metadataSub: subFromMetadata(session.metadata),
      subscriptionId: idOf(session.subscription),
      email: session.customer_details?.email ?? session.customer_email ?? null,
      trialGranted: Number(session.metadata?.trial_days ?? 0) > 0,
    },
  };
}

function customerDeletedSignal(object: unknown): Normalised {
  const customer = parseWith(customerSchema, object, 'customer');
  return {
    customerId: customer.id,
    signal: {
      kind: 'customer-deleted',
      metadataSub: subFromMetadata(customer.metadata),
      email: customer.email ?? null,
    },
  };
}

function refundSignal(object: unknown): Normalised {
  const charge = parseWith(chargeSchema, object, 'charge');
  return {
    customerId: idOf(charge.customer),
    signal: {
      kind: 'refund',
      chargeId: charge.id,
      full: charge.refunded || (charge.amount > 0 && charge.amount_refunded >= charge.amount),
      metadataSub: subFromMetadata(charge.metadata),
    },
  };
}

/** A refund object's events (`refund.updated`, `refund.failed`, `charge.refund.updated`): they name the charge. */
function refundObjectSignal(object: unknown): Normalised {
  const refund = parseWith(refundSchema, object, 'refund');
  return {
    customerId: null,
    signal: { kind: 'refund', chargeId: idOf(refund.charge) ?? '', full: null, metadataSub: null },
  };
}

function disputeSignal(object: unknown, type: HandledEventType): Normalised {
  const dispute = parseWith(disputeSchema, object, 'dispute');
  const charge = dispute.charge;
  const signal: StripeSignal = {
    kind: 'dispute',
    disputeId: dispute.id,
    chargeId: typeof charge === 'string' ? charge : charge.id,
    outcome: disputeOutcomeOf(dispute.status),
    fundsReinstated: type === 'charge.dispute.funds_reinstated',
  };
  return { customerId: typeof charge === 'string' ? null : idOf(charge.customer), signal };
}

/** The customer and signal of one handled event type's object. */
function normaliseObject(type: HandledEventType, object: unknown): Normalised {
  switch (type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
    case 'customer.subscription.paused':
    case 'customer.subscription.resumed':
    case 'customer.subscription.trial_will_end': {
      const subscription = normaliseSubscription(object);
      return { customerId: subscription.customerId, signal: { kind: 'subscription', subscription } };
    }
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
    case 'invoice.payment_failed':
    case 'invoice.voided':
    case 'invoice.marked_uncollectible':
      return invoiceSignal(object, type);
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
      return checkoutSignal(object, type);
    case 'customer.deleted':
      return customerDeletedSignal(object);
    case 'charge.refunded':
      return refundSignal(object);
    case 'charge.refund.updated':
    case 'refund.updated':
    case 'refund.failed':
      return refundObjectSignal(object);
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed':
    case 'charge.dispute.funds_reinstated':
      return disputeSignal(object, type);
  }
}

/**
 * Validates a verified event's object for its type and normalises it. Throws InvalidStripeEventError (a 400) when
 * a handled type carries an object that does not fit. Call only for handled types.
 */
export function normaliseEvent(envelope: StripeEventEnvelope & { type: HandledEventType }): NormalisedEvent {
  const base = {
    id: envelope.id,
    type: envelope.type,
    created: envelope.created,
    apiVersion: envelope.api_version ?? null,
  };
  return { ...base, ...normaliseObject(envelope.type, envelope.data.object) };
}
