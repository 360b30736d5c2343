import type { Billing } from './context';
import { cardDeclined, invalidParameter, noSuch, StripeApiError } from './errors';
import { attachTestPaymentMethod, isTestToken, testToken } from './payment-methods';
import { attemptPayment, consumeArmedFailure, planPayment } from './payments';
import type { StripeObject } from './store';
import type { PaymentIntent, Price } from './types';

/**
 * Checkout in payment mode (one-time prices), as Stripe documents it:
 * - https://docs.stripe.com/payments/checkout/how-checkout-works: the PaymentIntent is created when the customer
 *   pays (since API 2022-08-01, not with the session), and the session then names it (`payment_intent`);
 * - https://docs.stripe.com/checkout/fulfillment: `checkout.session.completed` with `payment_status: paid` for a
 *   card; for a delayed payment method (bank debits) `unpaid`, then `checkout.session.async_payment_succeeded`
 *   (`paid`) or `checkout.session.async_payment_failed` when the payment settles;
 * - https://docs.stripe.com/payments/paymentintents/lifecycle: `payment_intent.created`, then `charge.succeeded` +
 *   `payment_intent.succeeded` (or `charge.pending` + `payment_intent.processing` until a bank debit settles);
 * - https://docs.stripe.com/api/checkout/sessions/create: `line_items` in payment mode take one-time prices only;
 *   `subscription_data` is for subscription mode, `payment_intent_data` for payment mode; no invoice is created
 *   unless `invoice_creation[enabled]` (not supported here), so the session's `invoice` stays null.
 * Stripe guarantees no order between these events (https://docs.stripe.com/webhooks#event-ordering). A declined
 * card leaves the session `open` and charges nothing the session completes with.
 */

/** `line_items[i][price]` in payment mode: an active one-time price. */
export function activeOneTimePrice(billing: Billing, id: string, param: string): Price {
  const price = billing.price(id, param);
  if (price.recurring) {
    throw invalidParameter(
      param,
      'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
    );
  }
  if (!price.active) {
    throw invalidParameter(param, `The price specified is inactive. This field only accepts active prices.`);
  }
  return price;
}

/** What paying a payment-mode session's hosted page does (see the module comment). */
export function completePaymentCheckout(
  billing: Billing,
  id: string,
  payment: { paymentMethod?: string; card?: string; bankAccount?: string } = {},
): { session: StripeObject; paymentIntent: PaymentIntent } {
  const session = billing.store.get(id, 'checkout.session');
  if (!session) throw noSuch('checkout.session', id);
  if (session.mode !== 'payment') {
    throw new StripeApiError(400, `Checkout Session ${id} is in ${String(session.mode)} mode, not payment mode.`);
  }
  if (session.status !== 'open') {
    throw new StripeApiError(400, `This Checkout Session is ${String(session.status)} and can no longer be paid.`, {
      code: 'checkout_session_not_open',
    });
  }
  const token = testToken(payment);
  if (!isTestToken(token)) throw noSuch('PaymentMethod', token, 'payment_method');
  const customerId = typeof session.customer === 'string' ? session.customer : undefined;
  if (!customerId) {
    throw new StripeApiError(400, 'The local emulator pays payment-mode sessions of an existing customer only.');
  }
  const armed = consumeArmedFailure(billing, customerId);
  if (armed || token === 'pm_card_chargeDeclined' || token === 'pm_card_chargeCustomerFail') throw cardDeclined();
  const at = billing.now();
  const method = attachTestPaymentMethod(billing, token, customerId);
  const plan = planPayment(billing, customerId, method.id);
  const internals = billing.store.raw.checkout[id];
  const { intent } = attemptPayment(
    billing,
    {
      customer: customerId,
      amount: Number(session.amount_total ?? 0),
      currency: String(session.currency ?? 'usd'),
      at,
      description: null,
      metadata: { ...internals?.paymentIntentMetadata },
    },
    plan,
  );
  if (intent.status !== 'succeeded' && intent.status !== 'processing') throw cardDeclined();
  billing.store.internal(intent.id).checkoutSession = id;
  Object.assign(session, {
    customer_details: { email: customerEmail(billing, customerId), name: null, phone: null, tax_exempt: 'none' },
    status: 'complete',
    payment_status: intent.status === 'succeeded' ? 'paid' : 'unpaid',
    payment_intent: intent.id,
    url: null,
  });
  billing.emit('checkout.session.completed', session, customerId, { at });
  return { session, paymentIntent: intent };
}

function customerEmail(billing: Billing, customerId: string): string | null {
  const customer = billing.store.get(customerId, 'customer') as { email?: string | null } | undefined;
  return customer?.email ?? null;
}
