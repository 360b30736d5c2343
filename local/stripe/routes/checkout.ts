import { createCheckoutSession, expireCheckout } from '../checkout';
import { asObject, mergeMetadata, optBool, optInt, optString } from '../coerce';
import type { Billing } from '../context';
import { invalidParameter, missingParameter } from '../errors';
import type { FormObject } from '../form';
import { ALLOW } from '../params';
import { activeOneTimePrice } from '../payment-checkout';
import type { StripeObject } from '../store';
import { activeRecurringPrice } from '../subscriptions';
import { list, oneOf, optUrl, parseItems, type Route, req, route } from './route';

/** `/v1/checkout/sessions` (https://docs.stripe.com/api/checkout/sessions), subscription mode. */
export const CHECKOUT_ROUTES: Route[] = [
  route('POST', '/v1/checkout/sessions', ALLOW.checkoutCreate, ({ billing }, p) => newSession(billing, p)),
  route('GET', '/v1/checkout/sessions', ALLOW.checkoutList, ({ billing }, p) => {
    const customer = optString(p.customer, 'customer');
    const subscription = optString(p.subscription, 'subscription');
    const status = optString(p.status, 'status');
    const found = billing.store
      .all('checkout.session')
      .filter(
        (s) =>
          (customer === undefined || s.customer === customer) &&
          (subscription === undefined || s.subscription === subscription) &&
          (status === undefined || s.status === status),
      );
    return list(found, p, '/v1/checkout/sessions');
  }),
  route('GET', '/v1/checkout/sessions/:id', ALLOW.retrieve, ({ billing }, _p, id) =>
    billing.found(req(id), 'checkout.session'),
  ),
  route('POST', '/v1/checkout/sessions/:id/expire', ALLOW.checkoutExpire, ({ billing }, _p, id) =>
    expireCheckout(billing, req(id)),
  ),
];

const MISSING_PM = ['cancel', 'pause', 'create_invoice'] as const;

function newSession(billing: Billing, p: FormObject): StripeObject {
  const mode = optString(p.mode, 'mode');
  if (!mode) throw missingParameter('mode');
  if (mode === 'payment') return newPaymentSession(billing, p);
  if (mode !== 'subscription') {
    throw invalidParameter(
      'mode',
      `The local emulator supports mode=subscription and mode=payment only (got ${mode}).`,
    );
  }
  if (p.payment_intent_data !== undefined) {
    throw invalidParameter('payment_intent_data', 'You can not pass `payment_intent_data` in `subscription` mode.');
  }
  const customer = optString(p.customer, 'customer');
  const customerEmail = optString(p.customer_email, 'customer_email');
  if (customer && customerEmail) {
    throw invalidParameter('customer_email', 'You may only specify one of these parameters: customer, customer_email.');
  }
  if (customer) billing.liveCustomer(customer, 'customer');
  const lineItems = parseItems(p.line_items, 'line_items');
  const prices = lineItems.map((item, index) =>
    activeRecurringPrice(billing, item.price, `line_items[${index}][price]`),
  );
  const data = asObject(p.subscription_data, 'subscription_data');
  const trialPeriodDays = optInt(data.trial_period_days, 'subscription_data[trial_period_days]');
  if (trialPeriodDays !== undefined && (trialPeriodDays < 1 || trialPeriodDays > 730)) {
    throw invalidParameter('subscription_data[trial_period_days]', 'trial_period_days must be between 1 and 730');
  }
  const trialEnd = optInt(data.trial_end, 'subscription_data[trial_end]');
  if (trialEnd !== undefined && trialEnd < billing.now() + 2 * 86400) {
    throw invalidParameter(
      'subscription_data[trial_end]',
      'The `trial_end` date has to be at least 2 days in the future.',
    );
  }
  const endBehavior = asObject(
    asObject(data.trial_settings, 'subscription_data[trial_settings]').end_behavior,
    'subscription_data[trial_settings][end_behavior]',
  );
  const missingPaymentMethod = oneOf(
    endBehavior.missing_payment_method,
    'subscription_data[trial_settings][end_behavior][missing_payment_method]',
    MISSING_PM,
  );
  const successUrl = optUrl(p.success_url, 'success_url');
  const cancelUrl = optUrl(p.cancel_url, 'cancel_url');
  const amount = lineItems.reduce((sum, item, i) => sum + (prices[i]?.unit_amount ?? 0) * item.quantity, 0);
  const session = sessionFields(p, {
    customer,
    customerEmail,
    successUrl,
    cancelUrl,
    amount,
    currency: prices[0]?.currency ?? 'usd',
    mode: 'subscription',
  });
  return createCheckoutSession(billing, session, {
    lineItems,
    subscriptionMetadata: mergeMetadata({}, data.metadata, 'subscription_data[metadata]'),
    ...(trialPeriodDays !== undefined ? { trialPeriodDays } : {}),
    ...(trialEnd !== undefined ? { trialEnd } : {}),
    ...(missingPaymentMethod ? { missingPaymentMethod } : {}),
  });
}

function sessionFields(
  p: FormObject,
  known: {
    customer?: string;
    customerEmail?: string;
    successUrl?: string;
    cancelUrl?: string;
    amount: number;
    currency: string;
    mode: 'subscription' | 'payment';
  },
): StripeObject {
  const expiresAt = optInt(p.expires_at, 'expires_at');
  return {
    id: '',
    object: 'checkout.session',
    allow_promotion_codes: optBool(p.allow_promotion_codes, 'allow_promotion_codes') ?? null,
    amount_subtotal: known.amount,
    amount_total: known.amount,
    automatic_tax: { enabled: false, liability: null, status: null },
    billing_address_collection: optString(p.billing_address_collection, 'billing_address_collection') ?? null,
    cancel_url: known.cancelUrl ?? null,
    client_reference_id: optString(p.client_reference_id, 'client_reference_id') ?? null,
    currency: known.currency,
    customer: known.customer ?? null,
    customer_creation: known.customer ? null : known.mode === 'payment' ? 'if_required' : 'always',
    customer_details: null,
    customer_email: known.customerEmail ?? null,
    ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
    locale: optString(p.locale, 'locale') ?? null,
    metadata: mergeMetadata({}, p.metadata),
    mode: known.mode,
    payment_method_collection: optString(p.payment_method_collection, 'payment_method_collection') ?? 'always',
    payment_method_types: ['card'],
    success_url: known.successUrl ?? null,
    ui_mode: optString(p.ui_mode, 'ui_mode') ?? 'hosted',
  };
}

/** Payment mode (one-time prices): see local/stripe/payment-checkout.ts for what paying it does. */
function newPaymentSession(billing: Billing, p: FormObject): StripeObject {
  if (p.subscription_data !== undefined) {
    throw invalidParameter('subscription_data', 'You can not pass `subscription_data` in `payment` mode.');
  }
  const customer = optString(p.customer, 'customer');
  const customerEmail = optString(p.customer_email, 'customer_email');
  if (customer && customerEmail) {
    throw invalidParameter('customer_email', 'You may only specify one of these parameters: customer, customer_email.');
  }
  if (customer) billing.liveCustomer(customer, 'customer');
  const lineItems = parseItems(p.line_items, 'line_items');
  const prices = lineItems.map((item, index) => activeOneTimePrice(billing, item.price, `line_items[${index}][price]`));
  const intentData = asObject(p.payment_intent_data, 'payment_intent_data');
  const amount = lineItems.reduce((sum, item, i) => sum + (prices[i]?.unit_amount ?? 0) * item.quantity, 0);
  const session = sessionFields(p, {
    customer,
    customerEmail,
    successUrl: optUrl(p.success_url, 'success_url'),
    cancelUrl: optUrl(p.cancel_url, 'cancel_url'),
    amount,
    currency: prices[0]?.currency ?? 'usd',
    mode: 'payment',
  });
  return createCheckoutSession(billing, session, {
    lineItems,
    subscriptionMetadata: {},
    paymentIntentMetadata: mergeMetadata({}, intentData.metadata, 'payment_intent_data[metadata]'),
  });
}
