import { type Billing, updateAndEmit } from './context';
import { newId, type StripeObject } from './store';
import type { Customer, Invoice, Subscription } from './types';

/**
 * Subscription invoices (https://docs.stripe.com/billing/invoices/subscription): created as `draft`
 * (`invoice.created`), finalized to `open` (`invoice.finalized`), then paid (`invoice.paid` +
 * `invoice.payment_succeeded`, also for $0 invoices) or failed (`invoice.payment_failed`), voided
 * (`invoice.voided`) or marked uncollectible (`invoice.marked_uncollectible`).
 */

export interface NewInvoice {
  reason: string;
  start: number;
  end: number;
  at: number;
  /** Total override (0 for a trial's first invoice); default: the items' price x quantity. */
  amount?: number;
  /** Renewals finalize about an hour after creation; the first invoice finalizes at once. */
  finalizesAt?: number | null;
  /** Emit `invoice.created` now (default) or let the caller emit it after its own event. */
  announce?: boolean;
}

export function createInvoice(billing: Billing, sub: Subscription, input: NewInvoice): Invoice {
  const id = newId('in');
  const amount = input.amount ?? sub.items.data.reduce((sum, i) => sum + i.price.unit_amount * i.quantity, 0);
  const customer = billing.store.get<Customer>(sub.customer);
  const invoice = billing.store.put<Invoice>({
    ...invoiceBase(id, sub, customer, amount, input),
    lines: invoiceLines(id, sub, input, amount),
  } as Invoice);
  sub.latest_invoice = id;
  if (input.announce !== false) billing.emit('invoice.created', invoice, sub.customer, { at: input.at });
  return invoice;
}

function invoiceBase(id: string, sub: Subscription, customer: Customer | undefined, amount: number, input: NewInvoice) {
  return {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Local emulator',
    amount_due: amount,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: amount,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatically_finalizes_at: input.finalizesAt ?? null,
    billing_reason: input.reason,
    collection_method: 'charge_automatically',
    created: input.at,
    currency: sub.currency,
    customer: sub.customer,
    customer_email: customer?.email ?? null,
    default_payment_method: null,
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id },
    },
    payments: { object: 'list', data: [], has_more: false, url: `/v1/invoice_payments?invoice=${id}` },
    period_end: input.end,
    period_start: input.start,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: amount,
    total: amount,
    webhooks_delivered_at: null,
  };
}

function invoiceLines(id: string, sub: Subscription, input: NewInvoice, amount: number) {
  return {
    object: 'list',
    data: sub.items.data.map((item) => ({
      id: newId('il'),
      object: 'line_item',
      amount: input.amount === undefined ? item.price.unit_amount * item.quantity : amount,
      currency: sub.currency,
      description: `${item.quantity} × ${item.price.nickname ?? item.price.id}`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: {},
      parent: {
        type: 'subscription_item_details',
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: null,
          proration: false,
          proration_details: { credited_items: null },
          subscription: sub.id,
          subscription_item: item.id,
        },
      },
      period: { start: input.start, end: input.end },
      pricing: {
        type: 'price_details',
        price_details: { price: item.price.id, product: item.price.product },
        unit_amount_decimal: String(item.price.unit_amount),
      },
      quantity: item.quantity,
    })),
    has_more: false,
    url: `/v1/invoices/${id}/lines`,
  };
}

/** draft -> open, numbered (`invoice.finalized`). */
export function finalizeInvoice(billing: Billing, invoice: Invoice, at: number): void {
  invoice.status = 'open';
  invoice.number = `${String(invoice.id).slice(3, 11).toUpperCase()}-0001`;
  invoice.automatically_finalizes_at = null;
  invoice.effective_at = at;
  invoice.status_transitions.finalized_at = at;
  billing.emit('invoice.finalized', invoice, invoice.customer, { at });
}

/** open -> paid: `invoice.paid` then `invoice.payment_succeeded` (Stripe sends both, $0 invoices included). */
export function markInvoicePaid(billing: Billing, invoice: Invoice, at: number, payment?: StripeObject): void {
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.auto_advance = false;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = at;
  if (payment) invoice.payments.data = [...invoice.payments.data, payment];
  billing.emit('invoice.paid', invoice, invoice.customer, { at });
  billing.emit('invoice.payment_succeeded', invoice, invoice.customer, { at });
}

/** A failed attempt: `invoice.payment_failed` with the attempt count and the next scheduled attempt (or null). */
export function recordInvoiceFailure(billing: Billing, invoice: Invoice, at: number, next: number | null): void {
  invoice.attempted = true;
  invoice.attempt_count += 1;
  invoice.next_payment_attempt = next;
  if (next === null) invoice.auto_advance = false;
  billing.emit('invoice.payment_failed', invoice, invoice.customer, { at });
}

export function voidInvoice(billing: Billing, invoice: Invoice, at: number): void {
  if (invoice.status !== 'open' && invoice.status !== 'draft') return;
  updateAndEmit(
    billing,
    'invoice.voided',
    invoice,
    invoice.customer,
    (i) => {
      i.status = 'void';
      i.auto_advance = false;
      i.next_payment_attempt = null;
      i.automatically_finalizes_at = null;
      i.status_transitions.voided_at = at;
    },
    at,
  );
}

export function markUncollectible(billing: Billing, invoice: Invoice, at: number): void {
  updateAndEmit(
    billing,
    'invoice.marked_uncollectible',
    invoice,
    invoice.customer,
    (i) => {
      i.status = 'uncollectible';
      i.auto_advance = false;
      i.next_payment_attempt = null;
      i.automatically_finalizes_at = null;
      i.status_transitions.marked_uncollectible_at = at;
    },
    at,
  );
}

export function subscriptionOf(invoice: Invoice): string | null {
  return invoice.parent?.subscription_details?.subscription ?? null;
}
