import { type Billing, updateAndEmit } from './context';
import { cardDeclined, invalidParameter, noSuch, StripeApiError } from './errors';
import { createInvoice, finalizeInvoice, markInvoicePaid, recordInvoiceFailure } from './invoices';
import { attemptPayment, invoicePayment, type PaymentPlan, planPayment } from './payments';
import { addInterval } from './periods';
import { newId } from './store';
import { type Invoice, type Price, type Subscription, type SubscriptionItem, TERMINAL_STATUSES } from './types';

/**
 * Subscription creation, the first invoice, cancellation and the helpers every lifecycle module shares.
 * Stripe: https://docs.stripe.com/billing/subscriptions/overview ("How subscriptions work"): a subscription whose
 * first payment fails (or has no payment method) stays `incomplete` for up to 23 hours, a trial starts `trialing`
 * with a $0 invoice, a paid first invoice makes it `active`.
 */

export type MissingPaymentMethod = 'cancel' | 'pause' | 'create_invoice';

export interface NewSubscription {
  customer: string;
  items: { price: string; quantity: number }[];
  metadata: Record<string, string>;
  trialEnd?: number;
  /** Parameter prefix for error messages (`items` or `line_items`). */
  param: string;
  defaultPaymentMethod?: string | null;
  missingPaymentMethod?: MissingPaymentMethod;
  paymentBehavior?: 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete';
  /**
   * `final` (API create): `customer.subscription.created` carries the outcome of the first payment;
   * `staged` (Checkout): `created` (`incomplete`), then `updated` (`active`) once the payment succeeded.
   */
  announce: 'final' | 'staged';
}

export interface CreatedSubscription {
  subscription: Subscription;
  invoice: Invoice;
  outcome: PaymentPlan['outcome'];
}

export const INCOMPLETE_EXPIRES_AFTER = 23 * 3600;

export function createSubscription(billing: Billing, input: NewSubscription): CreatedSubscription {
  const customer = billing.liveCustomer(input.customer, 'customer');
  const prices = checkedPrices(billing, input);
  const now = billing.now();
  if (input.trialEnd !== undefined && input.trialEnd <= now) {
    throw invalidParameter('trial_end', 'Invalid timestamp: must be in the future');
  }
  const sub = newSubscription(input, prices, now);
  const paymentMethod = sub.default_payment_method ?? customer.invoice_settings?.default_payment_method ?? null;
  if (sub.status === 'trialing') return startTrial(billing, sub, now);
  const plan =
    input.paymentBehavior === 'default_incomplete'
      ? ({ outcome: 'requires_payment_method', paymentMethod: null } as PaymentPlan)
      : planPayment(billing, sub.customer, paymentMethod);
  if (input.paymentBehavior === 'error_if_incomplete' && plan.outcome !== 'succeeded') {
    throw plan.outcome === 'requires_payment_method'
      ? new StripeApiError(400, 'This customer has no attached payment source or default payment method.', {
          code: 'resource_missing',
        })
      : cardDeclined(plan.declineCode);
  }
  if (input.announce === 'final' && plan.outcome === 'succeeded') sub.status = 'active';
  billing.store.put(sub);
  billing.emit('customer.subscription.created', sub, sub.customer, { at: now });
  const invoice = firstInvoice(billing, sub, now);
  payFirstInvoice(billing, sub, invoice, plan, now);
  return { subscription: sub, invoice, outcome: plan.outcome };
}

function checkedPrices(billing: Billing, input: NewSubscription): Price[] {
  if (input.items.length === 0) throw invalidParameter(input.param, `Missing required param: ${input.param}.`);
  const prices = input.items.map((item, index) =>
    activeRecurringPrice(billing, item.price, `${input.param}[${index}][price]`),
  );
  const intervals = new Set(prices.map((p) => `${p.recurring?.interval}/${p.recurring?.interval_count}`));
  if (intervals.size > 1) {
    throw invalidParameter(input.param, 'All prices on a subscription must have the same recurring interval');
  }
  return prices;
}

/** Stripe refuses archived prices for new subscriptions and item changes; existing ones keep renewing. */
export function activeRecurringPrice(billing: Billing, id: string, param: string): Price {
  const price = billing.price(id, param);
  if (!price.recurring) throw invalidParameter(param, `The price specified is not recurring: ${price.id}`);
  if (!price.active) {
    throw invalidParameter(param, `The price specified is inactive. This field only accepts active prices.`);
  }
  return price;
}

function newSubscription(input: NewSubscription, prices: Price[], now: number): Subscription {
  const id = newId('sub');
  const first = prices[0] as Price;
  const periodEnd = input.trialEnd ?? addInterval(now, first);
  const items = prices.map((price, i) => newItem(id, price, input.items[i]?.quantity ?? 1, now, periodEnd));
  return {
    ...subscriptionDefaults(),
    id,
    object: 'subscription',
    billing_cycle_anchor: periodEnd,
    created: now,
    currency: first.currency,
    customer: input.customer,
    default_payment_method: input.defaultPaymentMethod ?? null,
    items: {
      object: 'list',
      data: items,
      has_more: false,
      total_count: items.length,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    metadata: input.metadata,
    start_date: now,
    status: input.trialEnd === undefined ? 'incomplete' : 'trialing',
    trial_end: input.trialEnd ?? null,
    trial_settings: { end_behavior: { missing_payment_method: input.missingPaymentMethod ?? 'create_invoice' } },
    trial_start: input.trialEnd === undefined ? null : now,
  } as Subscription;
}

function subscriptionDefaults() {
  return {
    application: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false, liability: null, disabled_reason: null },
    billing_cycle_anchor_config: null,
    billing_mode: { type: 'classic', flexible: null },
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    days_until_due: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
    latest_invoice: null,
    livemode: false,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    test_clock: null,
    transfer_data: null,
  };
}

export function newItem(sub: string, price: Price, quantity: number, start: number, end: number): SubscriptionItem {
  return {
    id: newId('si', 14),
    object: 'subscription_item',
    billing_thresholds: null,
    created: start,
    current_period_end: end,
    current_period_start: start,
    discounts: [],
    metadata: {},
    price: structuredClone(price),
    quantity,
    subscription: sub,
    tax_rates: [],
  };
}

/** A trial: `created` (`trialing`) and a $0 invoice that is paid at once (`invoice.paid` fires for $0 too). */
function startTrial(billing: Billing, sub: Subscription, now: number): CreatedSubscription {
  billing.store.put(sub);
  billing.emit('customer.subscription.created', sub, sub.customer, { at: now });
  const invoice = createInvoice(billing, sub, {
    reason: 'subscription_create',
    start: now,
    end: now,
    at: now,
    amount: 0,
  });
  finalizeInvoice(billing, invoice, now);
  markInvoicePaid(billing, invoice, now);
  return { subscription: sub, invoice, outcome: 'succeeded' };
}

function firstInvoice(billing: Billing, sub: Subscription, now: number): Invoice {
  const item = sub.items.data[0];
  const invoice = createInvoice(billing, sub, {
    reason: 'subscription_create',
    start: now,
    end: item?.current_period_end ?? now,
    at: now,
  });
  finalizeInvoice(billing, invoice, now);
  return invoice;
}

/** Charges the first invoice; a paid one makes the subscription active (an `updated` event when staged). */
function payFirstInvoice(billing: Billing, sub: Subscription, invoice: Invoice, plan: PaymentPlan, at: number): void {
  const { intent } = attemptPayment(
    billing,
    {
      customer: sub.customer,
      amount: invoice.amount_due,
      currency: invoice.currency,
      at,
      description: 'Subscription creation',
    },
    plan,
  );
  Object.assign(billing.store.internal(invoice.id), { paymentIntent: intent.id, firstAttemptAt: at });
  billing.store.internal(intent.id).invoice = invoice.id;
  if (plan.outcome === 'succeeded') {
    markInvoicePaid(billing, invoice, at, invoicePayment(invoice.id, intent, at));
    if (sub.status !== 'active') setStatus(billing, sub, 'active', at);
  } else if (plan.outcome === 'failed') {
    // The first invoice is not retried: the customer has 23 hours to pay it, then the subscription expires.
    recordInvoiceFailure(billing, invoice, at, null);
  }
}

export function setStatus(billing: Billing, sub: Subscription, status: string, at: number): void {
  updateAndEmit(
    billing,
    'customer.subscription.updated',
    sub,
    sub.customer,
    (s) => {
      s.status = status;
    },
    at,
  );
}

export function assertUpdatable(sub: Subscription, onlyMetadata: boolean): void {
  if (TERMINAL_STATUSES.has(sub.status) && !onlyMetadata) {
    throw new StripeApiError(400, `A canceled subscription can only update its cancellation_details and metadata.`);
  }
  if (sub.status === 'incomplete' && !onlyMetadata) {
    throw new StripeApiError(
      400,
      'A subscription in incomplete status can only update its metadata, default_source and default_payment_method.',
    );
  }
}

export interface CancelOptions {
  at?: number;
  reason?: 'cancellation_requested' | 'payment_failed' | 'payment_disputed' | null;
}

/**
 * Ends a subscription now: `canceled`, `customer.subscription.deleted`. Stripe stops automatic collection of the
 * subscription's unpaid invoices (https://docs.stripe.com/billing/subscriptions/cancel).
 */
export function cancelSubscription(billing: Billing, sub: Subscription, options: CancelOptions = {}): Subscription {
  const at = options.at ?? billing.now();
  if (TERMINAL_STATUSES.has(sub.status)) {
    throw new StripeApiError(400, `This subscription has already been canceled (${sub.id}).`);
  }
  sub.status = 'canceled';
  sub.ended_at = at;
  sub.canceled_at ??= at;
  sub.cancellation_details = { ...sub.cancellation_details, reason: options.reason ?? 'cancellation_requested' };
  billing.emit('customer.subscription.deleted', sub, sub.customer, { at });
  stopCollection(billing, sub.id, at);
  return sub;
}

/** Open and draft invoices of the subscription are no longer attempted (`invoice.updated`). */
export function stopCollection(billing: Billing, subscriptionId: string, at: number): void {
  for (const invoice of billing.store.all<Invoice>('invoice')) {
    if (invoice.parent?.subscription_details?.subscription !== subscriptionId) continue;
    if ((invoice.status !== 'open' && invoice.status !== 'draft') || !invoice.auto_advance) continue;
    updateAndEmit(
      billing,
      'invoice.updated',
      invoice,
      invoice.customer,
      (i) => {
        i.auto_advance = false;
        i.next_payment_attempt = null;
        i.automatically_finalizes_at = null;
      },
      at,
    );
    delete billing.store.internal(invoice.id).outcomeAt;
  }
}

export function paymentMethodFor(billing: Billing, sub: Subscription): string | null {
  const customer = billing.store.get(sub.customer, 'customer') as
    | { invoice_settings?: { default_payment_method?: string | null } }
    | undefined;
  return sub.default_payment_method ?? customer?.invoice_settings?.default_payment_method ?? null;
}

export function requireItem(sub: Subscription, itemId: string, param: string): SubscriptionItem {
  const item = sub.items.data.find((x) => x.id === itemId);
  if (!item) throw noSuch('subscription_item', itemId, param);
  return item;
}
