import { invalidParameter, noSuch, StripeApiError } from './errors';
import { type CheckoutInternals, newId, type StripeObject, type StripeStore } from './store';

/**
 * The emulator's billing model: customers, checkout, subscriptions, invoices and the clock-driven lifecycle
 * (renewals, trial ends, failed payments, period-end cancellations). Synchronous on purpose: each API request runs
 * to completion before the next, so concurrent requests cannot interleave half-applied changes.
 * Objects follow the current API version: billing periods live on subscription items and an invoice names its
 * subscription under `parent.subscription_details`.
 */

export interface Price extends StripeObject {
  product: string;
  lookup_key: string | null;
  active: boolean;
  unit_amount: number;
  currency: string;
  recurring: { interval: 'month' | 'year' | 'week' | 'day'; interval_count: number } | null;
}

export interface SubscriptionItem extends StripeObject {
  price: Price;
  quantity: number;
  current_period_start: number;
  current_period_end: number;
  subscription: string;
}

export interface Subscription extends StripeObject {
  customer: string;
  status: string;
  metadata: Record<string, string>;
  items: { object: 'list'; data: SubscriptionItem[]; has_more: boolean; total_count: number; url: string };
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  trial_start: number | null;
  trial_end: number | null;
  latest_invoice: string | null;
  created: number;
}

export interface Customer extends StripeObject {
  email: string | null;
  metadata: Record<string, string>;
  deleted?: true;
}

export interface StripeEvent extends StripeObject {
  type: string;
  created: number;
  data: { object: StripeObject; previous_attributes?: Record<string, unknown> };
}

export type EventListener = (event: StripeEvent, customerId: string | undefined) => void;

export interface NewSubscription {
  customer: string;
  items: { price: string; quantity: number }[];
  metadata: Record<string, string>;
  trialEnd?: number;
  /** Parameter prefix for error messages (`items` or `line_items`). */
  param: string;
}

const TERMINAL = new Set(['canceled', 'incomplete_expired']);
const INCOMPLETE_EXPIRES_AFTER = 23 * 3600;

export class StripeEngine {
  private listeners: EventListener[] = [];

  constructor(
    readonly store: StripeStore,
    private readonly options: { apiVersion: string; apiBase: () => string },
  ) {}

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  now(): number {
    return this.store.now();
  }

  // ---- lookups -------------------------------------------------------------------------------------------------

  customer(id: string, param?: string): Customer {
    const found = this.store.get<Customer>(id, 'customer');
    if (!found) throw noSuch('customer', id, param);
    return found;
  }

  liveCustomer(id: string, param?: string): Customer {
    const found = this.customer(id, param);
    if (found.deleted) throw noSuch('customer', id, param);
    return found;
  }

  price(id: string, param?: string): Price {
    const found = this.store.get<Price>(id, 'price');
    if (!found) throw noSuch('price', id, param);
    return found;
  }

  subscription(id: string): Subscription {
    const found = this.store.get<Subscription>(id, 'subscription');
    if (!found) throw noSuch('subscription', id);
    return found;
  }

  // ---- events --------------------------------------------------------------------------------------------------

  emit(
    type: string,
    object: StripeObject,
    customerId: string | undefined,
    options: { at?: number; previous?: Record<string, unknown> } = {},
  ): StripeEvent {
    const state = this.store.raw;
    // `created` never goes backwards, like Stripe's; same-second events stay common.
    const created = Math.max(options.at ?? this.now(), state.lastEventCreated);
    state.lastEventCreated = created;
    const event: StripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: this.options.apiVersion,
      created,
      data: {
        object: structuredClone(object),
        ...(options.previous && Object.keys(options.previous).length ? { previous_attributes: options.previous } : {}),
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    this.store.put(event);
    for (const listener of this.listeners) listener(event, customerId);
    return event;
  }

  // ---- customers -----------------------------------------------------------------------------------------------

  createCustomer(fields: {
    email?: string;
    name?: string;
    description?: string;
    phone?: string;
    metadata: Record<string, string>;
  }): Customer {
    const now = this.now();
    const customer: Customer = this.store.put({
      id: newId('cus', 14),
      object: 'customer',
      address: null,
      balance: 0,
      created: now,
      currency: null,
      default_source: null,
      delinquent: false,
      description: fields.description ?? null,
      discount: null,
      email: fields.email ?? null,
      invoice_prefix: newId('x', 8).slice(2).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: fields.metadata,
      name: fields.name ?? null,
      next_invoice_sequence: 1,
      phone: fields.phone ?? null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    });
    this.emit('customer.created', customer, customer.id);
    return customer;
  }

  updateCustomer(id: string, change: (customer: Customer) => void): Customer {
    const customer = this.liveCustomer(id);
    const before = structuredClone(customer);
    change(customer);
    const previous = diff(before, customer);
    if (Object.keys(previous).length) this.emit('customer.updated', customer, id, { previous });
    return customer;
  }

  deleteCustomer(id: string): StripeObject {
    const customer = this.liveCustomer(id);
    for (const sub of this.store.all<Subscription>('subscription')) {
      if (sub.customer === id && !TERMINAL.has(sub.status)) this.cancelSubscription(sub.id);
    }
    this.emit('customer.deleted', customer, id);
    const stub: Customer = { id, object: 'customer', deleted: true, email: null, metadata: {} };
    this.store.put(stub);
    return { id, object: 'customer', deleted: true };
  }

  // ---- subscriptions -------------------------------------------------------------------------------------------

  createSubscription(input: NewSubscription): { subscription: Subscription; invoice: StripeObject; paid: boolean } {
    this.liveCustomer(input.customer, 'customer');
    if (input.items.length === 0) throw invalidParameter(input.param, `Missing required param: ${input.param}.`);
    const prices = input.items.map((item, index) => {
      const price = this.price(item.price, `${input.param}[${index}][price]`);
      if (!price.recurring) {
        throw invalidParameter(`${input.param}[${index}][price]`, `The price specified is not recurring: ${price.id}`);
      }
      if (!price.active) throw invalidParameter(`${input.param}[${index}][price]`, `The price ${price.id} is inactive`);
      return price;
    });
    const intervals = new Set(prices.map((p) => `${p.recurring?.interval}/${p.recurring?.interval_count}`));
    if (intervals.size > 1) {
      throw invalidParameter(input.param, 'All prices on a subscription must have the same recurring interval');
    }
    const now = this.now();
    if (input.trialEnd !== undefined && input.trialEnd <= now) {
      throw invalidParameter('trial_end', 'Invalid timestamp: must be in the future');
    }
    const id = newId('sub');
    const trialing = input.trialEnd !== undefined;
    const firstPrice = prices[0] as Price;
    const periodEnd = input.trialEnd ?? addInterval(now, firstPrice);
    const subscription: Subscription = {
      id,
      object: 'subscription',
      application: null,
      application_fee_percent: null,
      automatic_tax: { enabled: false, liability: null, disabled_reason: null },
      billing_cycle_anchor: periodEnd,
      billing_cycle_anchor_config: null,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: 'charge_automatically',
      created: now,
      currency: firstPrice.currency,
      customer: input.customer,
      days_until_due: null,
      default_payment_method: null,
      default_source: null,
      default_tax_rates: [],
      description: null,
      discounts: [],
      ended_at: null,
      invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
      items: {
        object: 'list',
        data: prices.map((price, index) => this.newItem(id, price, input.items[index]?.quantity ?? 1, now, periodEnd)),
        has_more: false,
        total_count: prices.length,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      latest_invoice: null,
      livemode: false,
      metadata: input.metadata,
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: {
        payment_method_options: null,
        payment_method_types: null,
        save_default_payment_method: 'off',
      },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: now,
      status: 'incomplete',
      test_clock: null,
      transfer_data: null,
      trial_end: input.trialEnd ?? null,
      trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
      trial_start: trialing ? now : null,
    };
    // A trial's first invoice is for 0 and always "paid"; otherwise the card is charged now.
    const paid = trialing || this.attemptPayment(input.customer);
    subscription.status = trialing ? 'trialing' : paid ? 'active' : 'incomplete';
    const invoice = this.newInvoice(
      subscription,
      'subscription_create',
      now,
      periodEnd,
      paid,
      trialing ? 0 : undefined,
    );
    this.store.put(subscription);
    this.emit('customer.subscription.created', subscription, input.customer);
    this.emitInvoiceOutcome(invoice, paid, input.customer, now);
    return { subscription, invoice, paid };
  }

  /** Applies `change` to a live subscription and emits `customer.subscription.updated` with previous_attributes. */
  updateSubscription(id: string, change: (subscription: Subscription) => void, at?: number): Subscription {
    const subscription = this.subscription(id);
    const before = structuredClone(subscription);
    change(subscription);
    const previous = diff(before, subscription);
    if (Object.keys(previous).length) {
      this.emit('customer.subscription.updated', subscription, subscription.customer, { previous, at });
    }
    return subscription;
  }

  assertUpdatable(subscription: Subscription): void {
    if (TERMINAL.has(subscription.status)) {
      throw new StripeApiError(
        400,
        `A canceled subscription can only update its cancellation_details and metadata (${subscription.id}).`,
      );
    }
  }

  changePrice(
    subscription: Subscription,
    itemId: string | undefined,
    priceId: string,
    quantity: number,
    param: string,
  ): void {
    const price = this.price(priceId, param);
    if (!price.recurring) throw invalidParameter(param, `The price specified is not recurring: ${price.id}`);
    const existing = itemId ? subscription.items.data.find((item) => item.id === itemId) : undefined;
    if (itemId && !existing) throw noSuch('subscription_item', itemId, param.replace('[price]', '[id]'));
    if (existing) {
      existing.price = structuredClone(price);
      existing.quantity = quantity;
      return;
    }
    const first = subscription.items.data[0];
    const start = first?.current_period_start ?? this.now();
    const end = first?.current_period_end ?? addInterval(start, price);
    subscription.items.data.push(this.newItem(subscription.id, price, quantity, start, end));
    subscription.items.total_count = subscription.items.data.length;
  }

  cancelSubscription(id: string, at = this.now()): Subscription {
    const subscription = this.subscription(id);
    if (TERMINAL.has(subscription.status)) {
      throw new StripeApiError(400, `This subscription has already been canceled (${id}).`);
    }
    subscription.status = 'canceled';
    subscription.ended_at = at;
    subscription.canceled_at ??= at;
    subscription.cancellation_details = {
      comment: null,
      feedback: null,
      reason: 'cancellation_requested',
    };
    this.emit('customer.subscription.deleted', subscription, subscription.customer, { at });
    return subscription;
  }

  /** Ends a trial now (`trial_end=now`): the first real period starts and is charged. */
  endTrialNow(subscription: Subscription): void {
    this.renew(subscription, this.now(), 'subscription_update');
  }

  // ---- checkout and portal -------------------------------------------------------------------------------------

  createCheckoutSession(session: StripeObject, internals: CheckoutInternals): StripeObject {
    const now = this.now();
    const id = newId('cs_test', 58);
    const created: StripeObject = {
      ...session,
      id,
      object: 'checkout.session',
      created: now,
      expires_at: now + 24 * 3600,
      livemode: false,
      status: 'open',
      payment_status: 'unpaid',
      subscription: null,
      invoice: null,
      url: `${this.options.apiBase()}/_emulator/checkout/${id}/pay`,
    };
    this.store.raw.checkout[id] = internals;
    return this.store.put(created);
  }

  /** What visiting the session's URL and paying does: customer (if none), subscription, session complete. */
  completeCheckout(id: string): { session: StripeObject; subscription: Subscription } {
    const session = this.store.get(id, 'checkout.session');
    const internals = this.store.raw.checkout[id];
    if (!session || !internals) throw noSuch('checkout.session', id);
    if (session.status !== 'open') {
      throw new StripeApiError(400, `This Checkout Session is ${String(session.status)} and can no longer be paid.`, {
        code: 'checkout_session_not_open',
      });
    }
    let customerId = typeof session.customer === 'string' ? session.customer : undefined;
    if (!customerId) {
      const email = typeof session.customer_email === 'string' ? session.customer_email : undefined;
      customerId = this.createCustomer({ email, metadata: {} }).id;
    }
    const trialEnd =
      internals.trialEnd ??
      (internals.trialPeriodDays !== undefined ? this.now() + internals.trialPeriodDays * 86400 : undefined);
    if (trialEnd === undefined && this.peekFailure(customerId)) {
      this.attemptPayment(customerId);
      throw new StripeApiError(402, 'Your card was declined.', { type: 'card_error', code: 'card_declined' });
    }
    const { subscription, invoice } = this.createSubscription({
      customer: customerId,
      items: internals.lineItems,
      metadata: { ...internals.subscriptionMetadata },
      trialEnd,
      param: 'line_items',
    });
    Object.assign(session, {
      customer: customerId,
      status: 'complete',
      payment_status: trialEnd === undefined ? 'paid' : 'no_payment_required',
      subscription: subscription.id,
      invoice: invoice.id,
      url: null,
    });
    this.emit('checkout.session.completed', session, customerId);
    return { session, subscription };
  }

  expireCheckout(id: string): StripeObject {
    const session = this.store.get(id, 'checkout.session');
    if (!session) throw noSuch('checkout.session', id);
    if (session.status !== 'open') {
      throw new StripeApiError(400, `Only Checkout Sessions with a status of open can be expired (${id}).`);
    }
    Object.assign(session, { status: 'expired', url: null });
    this.emit('checkout.session.expired', session, typeof session.customer === 'string' ? session.customer : undefined);
    return session;
  }

  createPortalSession(customer: string, returnUrl: string | null, locale: string | null): StripeObject {
    this.liveCustomer(customer, 'customer');
    const id = newId('bps');
    return this.store.put({
      id,
      object: 'billing_portal.session',
      configuration: 'bpc_local_default',
      created: this.now(),
      customer,
      customer_account: null,
      flow: null,
      livemode: false,
      locale,
      on_behalf_of: null,
      return_url: returnUrl,
      url: `${this.options.apiBase()}/_emulator/portal/${id}`,
    });
  }

  // ---- time ----------------------------------------------------------------------------------------------------

  failNextPayment(customer: string, count = 1): void {
    this.liveCustomer(customer, 'customer');
    this.store.raw.failNext[customer] = (this.store.raw.failNext[customer] ?? 0) + count;
  }

  /** Moves the clock forward and plays every renewal, trial end, payment and cancellation that falls due. */
  advance(seconds: number): StripeEvent[] {
    if (!Number.isInteger(seconds) || seconds < 0) throw invalidParameter('seconds', 'seconds must be an integer >= 0');
    this.store.advance(seconds);
    return this.processDue();
  }

  /** Runs due lifecycle transitions in time order across all subscriptions. */
  processDue(): StripeEvent[] {
    const now = this.now();
    const emitted: StripeEvent[] = [];
    const collect: EventListener = (event) => emitted.push(event);
    this.listeners.push(collect);
    try {
      for (let guard = 0; guard < 10_000; guard += 1) {
        const next = this.nextDue(now);
        if (!next) break;
        next.run();
      }
    } finally {
      this.listeners = this.listeners.filter((l) => l !== collect);
    }
    return emitted;
  }

  private nextDue(now: number): { at: number; run: () => void } | undefined {
    let best: { at: number; run: () => void } | undefined;
    const consider = (at: number, run: () => void) => {
      if (at <= now && (!best || at < best.at)) best = { at, run };
    };
    for (const sub of this.store.all<Subscription>('subscription')) {
      if (TERMINAL.has(sub.status)) continue;
      const periodEnd = sub.items.data[0]?.current_period_end ?? Number.POSITIVE_INFINITY;
      if (sub.status === 'incomplete') {
        consider(sub.created + INCOMPLETE_EXPIRES_AFTER, () =>
          this.updateSubscription(
            sub.id,
            (s) => {
              s.status = 'incomplete_expired';
              s.ended_at = sub.created + INCOMPLETE_EXPIRES_AFTER;
            },
            sub.created + INCOMPLETE_EXPIRES_AFTER,
          ),
        );
        continue;
      }
      if (sub.cancel_at !== null && sub.cancel_at <= periodEnd) {
        const at = sub.cancel_at;
        consider(at, () => this.cancelSubscription(sub.id, at));
        continue;
      }
      if (sub.status === 'trialing' && sub.trial_end !== null) {
        const at = sub.trial_end;
        consider(at, () => this.renew(sub, at, 'subscription_cycle'));
        continue;
      }
      consider(periodEnd, () => this.renew(sub, periodEnd, 'subscription_cycle'));
    }
    return best;
  }

  /**
   * Starts the next period at `at` and charges it. Paid: active. Failed: past_due (invoice.payment_failed); a
   * subscription already past_due whose next renewal fails too is canceled, like Stripe's default
   * "cancel after all retries fail" setting.
   */
  private renew(sub: Subscription, at: number, reason: string): void {
    const paid = this.attemptPayment(sub.customer);
    if (!paid && sub.status === 'past_due') {
      const invoice = this.newInvoice(sub, reason, at, at, false);
      this.emitInvoiceOutcome(invoice, false, sub.customer, at);
      this.cancelSubscription(sub.id, at);
      return;
    }
    let invoice: StripeObject | undefined;
    this.updateSubscription(
      sub.id,
      (s) => {
        const first = s.items.data[0];
        const end = first ? addInterval(at, first.price) : at;
        for (const item of s.items.data) {
          item.current_period_start = at;
          item.current_period_end = end;
        }
        s.billing_cycle_anchor = s.status === 'trialing' ? at : s.billing_cycle_anchor;
        if (s.status === 'trialing' && s.trial_end !== null && s.trial_end > at) s.trial_end = at;
        s.status = paid ? 'active' : 'past_due';
        invoice = this.newInvoice(s, reason, at, end, paid);
      },
      at,
    );
    if (invoice) this.emitInvoiceOutcome(invoice, paid, sub.customer, at);
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  private peekFailure(customer: string): boolean {
    return (this.store.raw.failNext[customer] ?? 0) > 0;
  }

  private attemptPayment(customer: string): boolean {
    const failures = this.store.raw.failNext[customer] ?? 0;
    if (failures <= 0) return true;
    if (failures === 1) delete this.store.raw.failNext[customer];
    else this.store.raw.failNext[customer] = failures - 1;
    return false;
  }

  private newItem(subscription: string, price: Price, quantity: number, start: number, end: number): SubscriptionItem {
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
      subscription,
      tax_rates: [],
    };
  }

  private newInvoice(
    sub: Subscription,
    reason: string,
    start: number,
    end: number,
    paid: boolean,
    amountOverride?: number,
  ): StripeObject {
    const id = newId('in');
    const amount =
      amountOverride ?? sub.items.data.reduce((sum, item) => sum + item.price.unit_amount * item.quantity, 0);
    const at = Math.max(start, this.store.raw.lastEventCreated);
    const invoice: StripeObject = {
      id,
      object: 'invoice',
      account_country: 'US',
      account_name: 'Local emulator',
      amount_due: amount,
      amount_paid: paid ? amount : 0,
      amount_remaining: paid ? 0 : amount,
      attempt_count: amount === 0 ? 0 : 1,
      attempted: amount !== 0,
      auto_advance: !paid,
      billing_reason: reason,
      collection_method: 'charge_automatically',
      created: at,
      currency: sub.currency,
      customer: sub.customer,
      customer_email: this.store.get<Customer>(sub.customer)?.email ?? null,
      description: null,
      discounts: [],
      due_date: null,
      hosted_invoice_url: null,
      invoice_pdf: null,
      lines: {
        object: 'list',
        data: sub.items.data.map((item) => ({
          id: newId('il'),
          object: 'line_item',
          amount: amountOverride ?? item.price.unit_amount * item.quantity,
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
          period: { start, end },
          pricing: {
            type: 'price_details',
            price_details: { price: item.price.id, product: item.price.product },
            unit_amount_decimal: String(item.price.unit_amount),
          },
          quantity: item.quantity,
        })),
        has_more: false,
        url: `/v1/invoices/${id}/lines`,
      },
      livemode: false,
      metadata: {},
      next_payment_attempt: paid ? null : at + 3 * 86400,
      number: `${id.slice(3, 11).toUpperCase()}-0001`,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id },
      },
      period_end: end,
      period_start: start,
      status: paid ? 'paid' : 'open',
      status_transitions: {
        finalized_at: at,
        marked_uncollectible_at: null,
        paid_at: paid ? at : null,
        voided_at: null,
      },
      subtotal: amount,
      total: amount,
    };
    this.store.put(invoice);
    sub.latest_invoice = id;
    return invoice;
  }

  private emitInvoiceOutcome(invoice: StripeObject, paid: boolean, customer: string, at: number): void {
    this.emit(paid ? 'invoice.paid' : 'invoice.payment_failed', invoice, customer, { at });
  }
}

/** Adds one billing interval (calendar months/years in UTC, like Stripe's anchors). */
export function addInterval(from: number, price: Pick<Price, 'recurring'>): number {
  const interval = price.recurring?.interval ?? 'month';
  const count = price.recurring?.interval_count ?? 1;
  if (interval === 'day') return from + count * 86400;
  if (interval === 'week') return from + count * 7 * 86400;
  const date = new Date(from * 1000);
  const months = interval === 'year' ? 12 * count : count;
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return Math.floor(date.getTime() / 1000);
}

/** Top-level keys whose value changed, with their old values (Stripe's `previous_attributes`). */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key] ?? null;
  }
  return previous;
}
