import fc from 'fast-check';
import { entitlementOf, SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../lambdas/domain/entitlement';
import type { ChargeRead } from '../../lambdas/domain/payment-facts';
import { type NormalisedEvent, normaliseEvent, parseEventEnvelope } from '../../lambdas/domain/stripe-events';
import { applyStripeEvent } from '../../lambdas/use-cases/webhook/apply-stripe-event';
import { checkoutSessionObject, stripeEvent, subscriptionObject } from '../fixtures/stripe/builders';
import { memoryDeps, NOW } from './webhook-memory';

/**
 * A customer's billing history as Stripe sends it (subscriptions, trials, invoices paid/failed/closed, refunds,
 * disputes), the Stripe truth a webhook reads back (each subscription's last state, each charge as it is now), and
 * delivery through the real webhook use case on in-memory ports. For the delivery-order property tests.
 */

export const N = Math.floor(NOW.getTime() / 1000);
export const DAY = 86_400;
const CUSTOMER = 'cus_base';
const USER = 'sub-user-1';

export type SubId = 'sub_a' | 'sub_b';
/** Invoices and what they are for: in_0 a trial's $0 invoice, in_p a mid-period proration, in_3 sub_b's. */
export const INVOICES = {
  in_0: { sub: 'sub_a', amount: 0, paidAt: N - 20 * DAY },
  in_1: { sub: 'sub_a', amount: 2900, paidAt: N - 35 * DAY },
  in_2: { sub: 'sub_a', amount: 2900, paidAt: N - 5 * DAY },
  in_p: { sub: 'sub_a', amount: 1200, paidAt: N - 3 * DAY },
  in_3: { sub: 'sub_b', amount: 900, paidAt: N - 5 * DAY },
} as const;
export type InvoiceId = keyof typeof INVOICES;
/** Charges and the invoice each paid (ch_x: a one-off payment, no invoice). */
export const CHARGES = { ch_1: 'in_1', ch_2: 'in_2', ch_p: 'in_p', ch_3: 'in_3', ch_x: null } as const;
export type ChargeId = keyof typeof CHARGES;
export const DISPUTES = { du_1: 'ch_1', du_2: 'ch_2', du_x: 'ch_x' } as const;
export type DisputeId = keyof typeof DISPUTES;

export type Step =
  | {
      kind: 'subscription';
      type?: 'created' | 'updated' | 'deleted' | 'paused';
      sub: SubId;
      status: SubscriptionStatus;
      lookupKey: string;
      cancel?: boolean;
      periodStart: number;
      trialEnd?: number | null;
      at: number;
    }
  | { kind: 'invoice'; invoice: InvoiceId; outcome: 'paid' | 'failed' | 'voided' | 'uncollectible'; at: number }
  | { kind: 'checkout'; trialDays: number; at: number }
  | { kind: 'refund'; charge: ChargeId; how: 'full' | 'partial' | 'failed'; at: number }
  | { kind: 'dispute'; dispute: DisputeId; stage: 'created' | 'updated' | 'won' | 'lost' | 'reinstated'; at: number };

type Json = Record<string, unknown>;

const amountOf = (charge: ChargeId) => {
  const invoice = CHARGES[charge];
  return invoice === null ? 4900 : INVOICES[invoice].amount;
};
const refunded = (charge: ChargeId, how: 'full' | 'partial' | 'failed') =>
  how === 'full' ? amountOf(charge) : how === 'partial' ? Math.floor(amountOf(charge) / 2) : 0;

const INVOICE_TYPES = {
  paid: 'invoice.paid',
  failed: 'invoice.payment_failed',
  voided: 'invoice.voided',
  uncollectible: 'invoice.marked_uncollectible',
} as const;
const DISPUTE_EVENTS = {
  created: ['charge.dispute.created', 'needs_response'],
  updated: ['charge.dispute.updated', 'under_review'],
  won: ['charge.dispute.closed', 'won'],
  lost: ['charge.dispute.closed', 'lost'],
  reinstated: ['charge.dispute.funds_reinstated', 'won'],
} as const;

function eventOf(step: Step, id: string): { event: Json; subscription?: Json } {
  const created = step.at;
  switch (step.kind) {
    case 'subscription': {
      const object = subscriptionObject({
        id: step.sub,
        status: step.status,
        lookupKey: step.lookupKey,
        cancelAtPeriodEnd: step.cancel ?? false,
        periodStart: step.periodStart,
        trialEnd: step.trialEnd ?? null,
      });
      const type = `customer.subscription.${step.type ?? 'updated'}`;
      return { event: stripeEvent(type, object, { id, created }), subscription: object };
    }
    case 'invoice': {
      const invoice = INVOICES[step.invoice];
      const object = {
        id: step.invoice,
        object: 'invoice',
        customer: CUSTOMER,
        status: step.outcome === 'paid' ? 'paid' : step.outcome === 'failed' ? 'open' : step.outcome,
        amount_paid: step.outcome === 'paid' ? invoice.amount : 0,
        parent: { type: 'subscription_details', subscription_details: { subscription: invoice.sub, metadata: {} } },
        metadata: {},
      };
      return { event: stripeEvent(INVOICE_TYPES[step.outcome], object, { id, created }) };
    }
    case 'checkout': {
      const session = {
        ...checkoutSessionObject(),
        subscription: 'sub_a',
        metadata: { trial_days: `${step.trialDays}` },
      };
      return { event: stripeEvent('checkout.session.completed', session, { id, created }) };
    }
    case 'refund': {
      if (step.how === 'failed') {
        const refund = {
          id: `re_${step.charge}`,
          object: 'refund',
          charge: step.charge,
          status: 'failed',
          metadata: {},
        };
        return { event: stripeEvent('refund.failed', refund, { id, created }) };
      }
      const amount = amountOf(step.charge);
      const amountRefunded = refunded(step.charge, step.how);
      const charge = {
        id: step.charge,
        object: 'charge',
        customer: CUSTOMER,
        amount,
        amount_refunded: amountRefunded,
        refunded: amountRefunded >= amount,
        metadata: {},
        status: 'succeeded',
      };
      return { event: stripeEvent('charge.refunded', charge, { id, created }) };
    }
    case 'dispute': {
      const [type, status] = DISPUTE_EVENTS[step.stage];
      const dispute = { id: step.dispute, object: 'dispute', charge: DISPUTES[step.dispute], amount: 2900, status };
      return { event: stripeEvent(type, dispute, { id, created }) };
    }
  }
}

export interface History {
  events: Json[];
  /** Stripe now: each subscription's last state, and each charge as a read returns it. */
  subscriptions: Json[];
  charges: Omit<ChargeRead, 'readAt'>[];
}

export function historyOf(steps: readonly Step[]): History {
  const subscriptions = new Map<string, Json>();
  const refunds = new Map<ChargeId, number>();
  const events = steps.map((step, index) => {
    const { event, subscription } = eventOf(step, `evt_${index}`);
    if (subscription && step.kind === 'subscription') subscriptions.set(step.sub, subscription);
    if (step.kind === 'refund') refunds.set(step.charge, refunded(step.charge, step.how));
    return event;
  });
  const charges = (Object.keys(CHARGES) as ChargeId[]).map((chargeId) => {
    const invoiceId = CHARGES[chargeId];
    const invoice = invoiceId === null ? null : INVOICES[invoiceId];
    return {
      chargeId,
      customerId: CUSTOMER,
      amount: amountOf(chargeId),
      amountRefunded: refunds.get(chargeId) ?? 0,
      invoice:
        invoiceId === null || invoice === null
          ? null
          : { id: invoiceId, subscriptionId: invoice.sub, amountPaid: invoice.amount, paidAt: invoice.paidAt },
    };
  });
  return { events, subscriptions: [...subscriptions.values()], charges };
}

/** Delivers `events` (in the given order) through the webhook use case with `history`'s Stripe truth. */
export async function deliver(events: readonly Json[], history: History) {
  const memory = memoryDeps();
  memory.profiles.add(USER, CUSTOMER);
  memory.stripe.subscriptions.set(CUSTOMER, history.subscriptions);
  for (const charge of history.charges) memory.stripe.chargeReads.set(charge.chargeId, charge);
  for (const raw of events) {
    const envelope = parseEventEnvelope(raw);
    const event = normaliseEvent(envelope as typeof envelope & { type: NormalisedEvent['type'] });
    await applyStripeEvent(memory.deps, event, JSON.stringify(raw));
  }
  const record = memory.entitlements.items.get(USER);
  return {
    entitlement: record ? entitlementOf(record) : undefined,
    trialUsed: record?.trialUsed ?? false,
    groups: memory.groups.groupsOf(`user-${USER}`),
  };
}

/** A delivery of `count` events: a permutation with some delivered twice or more (Stripe's at-least-once). */
export const deliveryArb = (count: number) =>
  fc.record({
    order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: count * 2, maxLength: count * 2 }),
    duplicates: fc.array(fc.nat(Math.max(0, count - 1)), { maxLength: count }),
  });

export function delivered(events: readonly Json[], delivery: { order: number[]; duplicates: number[] }): Json[] {
  const all = [...events, ...delivery.duplicates.flatMap((i) => (events[i] ? [events[i]] : []))];
  return all
    .map((event, i) => ({ event, key: delivery.order[i] ?? i }))
    .sort((a, b) => a.key - b.key)
    .map(({ event }) => event);
}

const PERIODS = [N - 35 * DAY, N - 5 * DAY] as const;
const LOOKUP_KEYS = ['starter_monthly', 'pro_monthly', 'business_yearly', 'unknown_price'] as const;

/** One random step (its time comes from the gaps): every kind of billing event over a small pool of objects. */
const stepArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('subscription' as const),
      type: fc.constantFrom('created' as const, 'updated' as const, 'deleted' as const, 'paused' as const),
      sub: fc.constantFrom<SubId>('sub_a', 'sub_b'),
      status: fc.constantFrom(...SUBSCRIPTION_STATUSES),
      lookupKey: fc.constantFrom(...LOOKUP_KEYS),
      cancel: fc.boolean(),
      periodStart: fc.constantFrom(...PERIODS),
      // a running trial, one that ended (Stripe keeps trial_end), or none
      trialEnd: fc.constantFrom(null, N + 9 * DAY, N - 2 * DAY),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('invoice' as const),
      invoice: fc.constantFrom(...(Object.keys(INVOICES) as InvoiceId[])),
      outcome: fc.constantFrom(
        'paid' as const,
        'paid' as const,
        'failed' as const,
        'voided' as const,
        'uncollectible' as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('checkout' as const), trialDays: fc.constantFrom(0, 14) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      charge: fc.constantFrom(...(Object.keys(CHARGES) as ChargeId[])),
      how: fc.constantFrom('full' as const, 'partial' as const, 'failed' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('dispute' as const),
      dispute: fc.constantFrom(...(Object.keys(DISPUTES) as DisputeId[])),
      stage: fc.constantFrom(
        'created' as const,
        'updated' as const,
        'won' as const,
        'lost' as const,
        'reinstated' as const,
      ),
    }),
  },
);

/** Half the random histories start from a paying pro subscriber, so refunds and disputes have access to take. */
const PAYING_PRO: Step[] = [
  {
    kind: 'subscription',
    type: 'created',
    sub: 'sub_a',
    status: 'active',
    lookupKey: 'pro_monthly',
    periodStart: N - 5 * DAY,
    at: N - 13 * DAY,
  },
  { kind: 'invoice', invoice: 'in_2', outcome: 'paid', at: N - 13 * DAY },
];

/**
 * Random histories: steps 0 s (a same-second tie), 1 s, 1 or 2 days apart, from 12 days ago up to a minute ago, so
 * grace windows (7 days) and trials end on either side of now.
 */
export const historyArb = (maxLength: number) =>
  fc
    .tuple(fc.boolean(), fc.array(fc.tuple(stepArb, fc.constantFrom(0, 1, DAY, 2 * DAY)), { minLength: 1, maxLength }))
    .map(([paying, pairs]) => {
      let at = N - 12 * DAY;
      const steps = pairs.map(([step, gap]) => {
        at = Math.min(at + gap, N - 60);
        return { ...step, at } as Step;
      });
      return paying ? [...PAYING_PRO, ...steps] : steps;
    });
