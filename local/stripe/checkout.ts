import type { Billing } from './context';
import { createCustomer } from './customers';
import { cardDeclined, noSuch, StripeApiError } from './errors';
import { attachTestPaymentMethod, isTestToken, testToken } from './payment-methods';
import { consumeArmedFailure } from './payments';
import { type CheckoutInternals, newId, type StripeObject } from './store';
import { createSubscription, type MissingPaymentMethod } from './subscriptions';

/**
 * Checkout in subscription mode.
 * Stripe: https://docs.stripe.com/billing/subscriptions/build-subscriptions?payment-ui=stripe-hosted and
 * https://docs.stripe.com/checkout/fulfillment ("Fulfill orders"). Paying creates the subscription `incomplete`
 * (`customer.subscription.created`), its first invoice (`invoice.created`, `invoice.finalized`), charges it
 * (`payment_intent.*`, `charge.succeeded`, `invoice.paid`, `invoice.payment_succeeded`), makes the subscription
 * `active` (`customer.subscription.updated`) and completes the session (`checkout.session.completed`, `paid`); Stripe
 * guarantees no order between these (https://docs.stripe.com/webhooks#event-ordering). With a trial the card is only
 * saved (`setup_intent.*`), the subscription starts `trialing` with a $0 paid invoice and the session is
 * `no_payment_required`. A bank debit (async payment method) completes the session `unpaid` while the subscription
 * stays `incomplete`; when the payment settles, `checkout.session.async_payment_succeeded` (or `_failed`).
 * A declined card leaves the session `open` and creates nothing.
 */

export interface CheckoutPayment {
  /** A test payment method token (`pm_card_visa`, default), a test card number or a test bank account number. */
  paymentMethod?: string;
  card?: string;
  bankAccount?: string;
}

export function createCheckoutSession(billing: Billing, session: StripeObject, internals: CheckoutInternals) {
  const now = billing.now();
  const id = newId('cs_test', 58);
  billing.store.raw.checkout[id] = internals;
  return billing.store.put({
    ...session,
    id,
    object: 'checkout.session',
    created: now,
    expires_at: typeof session.expires_at === 'number' ? session.expires_at : now + 24 * 3600,
    livemode: false,
    status: 'open',
    payment_status: 'unpaid',
    subscription: null,
    invoice: null,
    payment_intent: null,
    setup_intent: null,
    url: `${billing.apiBase()}/_emulator/checkout/${id}/pay`,
  });
}

function openSession(billing: Billing, id: string): { session: StripeObject; internals: CheckoutInternals } {
  const session = billing.store.get(id, 'checkout.session');
  const internals = billing.store.raw.checkout[id];
  if (!session || !internals) throw noSuch('checkout.session', id);
  if (session.status !== 'open') {
    throw new StripeApiError(400, `This Checkout Session is ${String(session.status)} and can no longer be paid.`, {
      code: 'checkout_session_not_open',
    });
  }
  return { session, internals };
}

/** What paying on the session's hosted page does (see the module comment). */
export function completeCheckout(billing: Billing, id: string, payment: CheckoutPayment = {}) {
  const { session, internals } = openSession(billing, id);
  const token = testToken(payment);
  if (!isTestToken(token)) throw noSuch('PaymentMethod', token, 'payment_method');
  const now = billing.now();
  const trialEnd =
    internals.trialEnd ??
    (internals.trialPeriodDays !== undefined ? now + internals.trialPeriodDays * 86400 : undefined);
  refuseDeclines(billing, session, token, trialEnd === undefined);
  const customerId = typeof session.customer === 'string' ? session.customer : newCustomer(billing, session);
  // `payment_method_collection: if_required` skips the card on a trial unless the customer enters one anyway.
  const skipCard =
    trialEnd !== undefined &&
    session.payment_method_collection === 'if_required' &&
    !payment.paymentMethod &&
    !payment.card &&
    !payment.bankAccount;
  const method = skipCard ? undefined : attachTestPaymentMethod(billing, token, customerId);
  if (trialEnd !== undefined && method) savedForLater(billing, customerId, method.id, now);
  const { subscription, invoice, outcome } = createSubscription(billing, {
    customer: customerId,
    items: internals.lineItems,
    metadata: { ...internals.subscriptionMetadata },
    trialEnd,
    param: 'line_items',
    defaultPaymentMethod: method?.id ?? null,
    missingPaymentMethod: internals.missingPaymentMethod as MissingPaymentMethod | undefined,
    announce: 'staged',
  });
  billing.store.internal(invoice.id).checkoutSession = id;
  Object.assign(session, {
    customer: customerId,
    customer_details: { email: customerEmail(billing, customerId), name: null, phone: null, tax_exempt: 'none' },
    status: 'complete',
    payment_status: trialEnd !== undefined ? 'no_payment_required' : outcome === 'succeeded' ? 'paid' : 'unpaid',
    subscription: subscription.id,
    invoice: invoice.id,
    url: null,
  });
  billing.emit('checkout.session.completed', session, customerId);
  return { session, subscription };
}

/** A card that declines (or an armed failure) on a paid session: the page shows the decline, nothing is created. */
function refuseDeclines(billing: Billing, session: StripeObject, token: string, paidNow: boolean): void {
  if (!paidNow) return;
  const armed = typeof session.customer === 'string' && consumeArmedFailure(billing, session.customer);
  if (armed || token === 'pm_card_chargeDeclined' || token === 'pm_card_chargeCustomerFail') throw cardDeclined();
}

function newCustomer(billing: Billing, session: StripeObject): string {
  const email = typeof session.customer_email === 'string' ? session.customer_email : undefined;
  return createCustomer(billing, { email, metadata: {} }).id;
}

function customerEmail(billing: Billing, customerId: string): string | null {
  const customer = billing.store.get(customerId, 'customer') as { email?: string | null } | undefined;
  return customer?.email ?? null;
}

/** A trial checkout only saves the card: a SetupIntent that succeeds. */
function savedForLater(billing: Billing, customer: string, paymentMethod: string, at: number): void {
  const intent = billing.store.put({
    id: newId('seti'),
    object: 'setup_intent',
    created: at,
    customer,
    livemode: false,
    payment_method: paymentMethod,
    payment_method_types: ['card'],
    status: 'requires_payment_method',
    usage: 'off_session',
  });
  billing.emit('setup_intent.created', intent, customer, { at });
  intent.status = 'succeeded';
  billing.emit('setup_intent.succeeded', intent, customer, { at });
}

/**
 * A Checkout Session's bank debit settled (`settledBy`: the subscription's first invoice or a payment-mode
 * PaymentIntent): `checkout.session.async_payment_succeeded` (paid) or `_failed`.
 */
export function afterAsyncCheckoutPayment(
  billing: Billing,
  settledBy: { id: string },
  result: string,
  at: number,
): void {
  const sessionId = billing.store.internal(settledBy.id).checkoutSession;
  const session = typeof sessionId === 'string' ? billing.store.get(sessionId, 'checkout.session') : undefined;
  if (!session) return;
  const customer = typeof session.customer === 'string' ? session.customer : null;
  if (result === 'succeeded') {
    session.payment_status = 'paid';
    billing.emit('checkout.session.async_payment_succeeded', session, customer, { at });
  } else {
    billing.emit('checkout.session.async_payment_failed', session, customer, { at });
  }
}

/** `POST /v1/checkout/sessions/:id/expire`, or the session's `expires_at` passing: `checkout.session.expired`. */
export function expireCheckout(billing: Billing, id: string, at = billing.now()): StripeObject {
  const session = billing.store.get(id, 'checkout.session');
  if (!session) throw noSuch('checkout.session', id);
  if (session.status !== 'open') {
    throw new StripeApiError(400, `Only Checkout Sessions with a status of open can be expired (${id}).`);
  }
  Object.assign(session, { status: 'expired', url: null });
  billing.emit('checkout.session.expired', session, typeof session.customer === 'string' ? session.customer : null, {
    at,
  });
  return session;
}
