import { afterAsyncCheckoutPayment } from './checkout';
import { type Billing, updateAndEmit } from './context';
import { finalizeInvoice, markInvoicePaid, recordInvoiceFailure, subscriptionOf } from './invoices';
import { attemptPayment, invoicePayment, planPayment, settlePayment } from './payments';
import { nextRetryAt } from './settings';
import { cancelSubscription, INCOMPLETE_EXPIRES_AFTER, paymentMethodFor, setStatus } from './subscriptions';
import { type Invoice, type PaymentIntent, type Subscription, TERMINAL_STATUSES } from './types';

/**
 * Collecting subscription invoices and dunning.
 * Stripe: https://docs.stripe.com/billing/invoices/subscription#subscription-renewal (a renewal invoice is finalized
 * and attempted about an hour after it was created), https://docs.stripe.com/billing/subscriptions/overview (a failed
 * renewal makes the subscription `past_due`; a payment makes it `active` again) and
 * https://docs.stripe.com/billing/revenue-recovery/smart-retries (retries on the account's schedule; when the last
 * one fails the subscription is canceled, marked `unpaid` or left `past_due`; no retries without a payment method).
 */

/** A renewal invoice's automatic finalization: `invoice.finalized`, then the first payment attempt. */
export function finalizeAndCollect(billing: Billing, invoice: Invoice, at: number): void {
  finalizeInvoice(billing, invoice, at);
  collectInvoice(billing, invoice, at);
}

/** One payment attempt of an open invoice (the first or a retry) and what it does to the subscription. */
export function collectInvoice(billing: Billing, invoice: Invoice, at: number): void {
  const sub = subscriptionFor(billing, invoice);
  const facts = billing.store.internal(invoice.id);
  facts.firstAttemptAt ??= at;
  if (invoice.amount_due === 0) {
    markInvoicePaid(billing, invoice, at);
    if (sub) afterPaid(billing, sub, at);
    return;
  }
  const plan = planPayment(billing, invoice.customer, sub ? paymentMethodFor(billing, sub) : null);
  const existing = typeof facts.paymentIntent === 'string' ? billing.paymentIntent(facts.paymentIntent) : undefined;
  const description =
    invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update';
  const { intent } = attemptPayment(
    billing,
    {
      customer: invoice.customer,
      amount: invoice.amount_due,
      currency: invoice.currency,
      at,
      description,
      paymentIntent: existing,
    },
    plan,
  );
  facts.paymentIntent = intent.id;
  billing.store.internal(intent.id).invoice = invoice.id;
  if (plan.outcome === 'succeeded') {
    markInvoicePaid(billing, invoice, at, invoicePayment(invoice.id, intent, at));
    if (sub) afterPaid(billing, sub, at);
  } else if (plan.outcome !== 'processing') {
    afterFailure(billing, invoice, sub, at, plan.outcome === 'requires_payment_method');
  }
}

function subscriptionFor(billing: Billing, invoice: Invoice): Subscription | undefined {
  const id = subscriptionOf(invoice);
  return id ? billing.store.get<Subscription>(id, 'subscription') : undefined;
}

/** A paid invoice brings an incomplete, past_due or unpaid subscription back to `active`. */
function afterPaid(billing: Billing, sub: Subscription, at: number): void {
  if (['incomplete', 'past_due', 'unpaid'].includes(sub.status)) setStatus(billing, sub, 'active', at);
}

function afterFailure(
  billing: Billing,
  invoice: Invoice,
  sub: Subscription | undefined,
  at: number,
  noMethod: boolean,
) {
  if (invoice.billing_reason === 'subscription_create' || !sub || TERMINAL_STATUSES.has(sub.status)) {
    recordInvoiceFailure(billing, invoice, at, null);
    return;
  }
  const facts = billing.store.internal(invoice.id);
  const first = Number(facts.firstAttemptAt ?? at);
  const next = nextRetryAt(billing.settings.dunning, invoice.attempt_count + 1, first, at);
  recordInvoiceFailure(billing, invoice, at, noMethod ? null : next);
  if (sub.status === 'active' || sub.status === 'trialing') setStatus(billing, sub, 'past_due', at);
  if (next === null) applyDunningOutcome(billing, sub, at);
  // Without a payment method Stripe does not retry; the outcome applies when the retries would have run out.
  else if (noMethod) facts.outcomeAt = lastRetryAt(billing, invoice.attempt_count, first, at);
}

function lastRetryAt(billing: Billing, attempts: number, first: number, at: number): number {
  let last = at;
  for (let n = attempts; ; n += 1) {
    const next = nextRetryAt(billing.settings.dunning, n, first, last);
    if (next === null) return last;
    last = next;
  }
}

/** The account's "if all retries for a payment fail" setting. */
export function applyDunningOutcome(billing: Billing, sub: Subscription, at: number): void {
  const { outcome } = billing.settings.dunning;
  if (TERMINAL_STATUSES.has(sub.status)) return;
  if (outcome === 'cancel') cancelSubscription(billing, sub, { at, reason: 'payment_failed' });
  else if (outcome === 'unpaid') setStatus(billing, sub, 'unpaid', at);
}

/** A processing bank debit settles; the invoice, the subscription and a Checkout Session follow. */
export function settleInvoicePayment(billing: Billing, intent: PaymentIntent, at: number): void {
  const result = settlePayment(billing, intent, at);
  const invoiceId = billing.store.internal(intent.id).invoice;
  const invoice = typeof invoiceId === 'string' ? billing.invoice(invoiceId) : undefined;
  if (!invoice) {
    afterAsyncCheckoutPayment(billing, intent, result, at);
    return;
  }
  const sub = subscriptionFor(billing, invoice);
  if (result === 'succeeded') {
    markInvoicePaid(billing, invoice, at, invoicePayment(invoice.id, intent, at));
    if (sub) afterPaid(billing, sub, at);
  } else {
    afterFailure(billing, invoice, sub, at, false);
  }
  afterAsyncCheckoutPayment(billing, invoice, result, at);
  if (result === 'failed' && sub?.status === 'incomplete' && at >= sub.created + INCOMPLETE_EXPIRES_AFTER) {
    expireIncomplete(billing, sub, at);
  }
}

/**
 * An `incomplete` subscription whose first invoice was not paid within 23 hours becomes `incomplete_expired`
 * (terminal; `customer.subscription.updated`), and its open invoice is voided.
 */
export function expireIncomplete(billing: Billing, sub: Subscription, at: number): void {
  updateAndEmit(
    billing,
    'customer.subscription.updated',
    sub,
    sub.customer,
    (s) => {
      s.status = 'incomplete_expired';
      s.ended_at = at;
      s.canceled_at = at;
    },
    at,
  );
  const invoice = sub.latest_invoice ? billing.store.get<Invoice>(sub.latest_invoice, 'invoice') : undefined;
  if (invoice && invoice.status === 'open') {
    updateAndEmit(
      billing,
      'invoice.voided',
      invoice,
      invoice.customer,
      (i) => {
        i.status = 'void';
        i.auto_advance = false;
        i.next_payment_attempt = null;
        i.status_transitions.voided_at = at;
      },
      at,
    );
  }
}

/** Whether the subscription's first payment is still processing (a bank debit): it does not expire meanwhile. */
export function paymentProcessing(billing: Billing, sub: Subscription): boolean {
  const intentId = sub.latest_invoice ? billing.store.internal(sub.latest_invoice).paymentIntent : undefined;
  return typeof intentId === 'string' && billing.store.get<PaymentIntent>(intentId)?.status === 'processing';
}
