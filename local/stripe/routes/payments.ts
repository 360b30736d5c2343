import { asObject, mergeMetadata, optBool, optInt, optString } from '../coerce';
import type { Billing } from '../context';
import { acceptDispute, updateDispute } from '../disputes';
import { cardDeclined, missingParameter } from '../errors';
import type { FormObject } from '../form';
import { ALLOW } from '../params';
import { attachTestPaymentMethod, isTestToken, paymentMethodOf } from '../payment-methods';
import { attemptPayment, planPayment } from '../payments';
import { createRefund } from '../refunds';
import type { Charge, Dispute, PaymentIntent } from '../types';
import { list, oneOf, type Route, req, route } from './route';

/**
 * One-off payments (`/v1/payment_intents` with `confirm`), charges, refunds and disputes
 * (https://docs.stripe.com/api/payment_intents, /charges, /refunds, /disputes).
 */
export const PAYMENT_ROUTES: Route[] = [
  route('POST', '/v1/payment_intents', ALLOW.paymentIntentCreate, ({ billing }, p) => oneOffPayment(billing, p)),
  route('GET', '/v1/payment_intents/:id', ALLOW.retrieve, ({ billing }, _p, id) => billing.paymentIntent(req(id))),
  route('GET', '/v1/payment_intents', ALLOW.paymentIntentList, ({ billing }, p) => {
    const customer = optString(p.customer, 'customer');
    return list(
      billing.store
        .all<PaymentIntent>('payment_intent')
        .filter((x) => customer === undefined || x.customer === customer),
      p,
      '/v1/payment_intents',
    );
  }),
  route('GET', '/v1/charges/:id', ALLOW.retrieve, ({ billing }, _p, id) => billing.charge(req(id))),
  route('GET', '/v1/charges', ALLOW.chargeList, ({ billing }, p) => {
    const customer = optString(p.customer, 'customer');
    const intent = optString(p.payment_intent, 'payment_intent');
    const found = billing.store
      .all<Charge>('charge')
      .filter(
        (c) =>
          (customer === undefined || c.customer === customer) && (intent === undefined || c.payment_intent === intent),
      );
    return list(found, p, '/v1/charges');
  }),
  route('POST', '/v1/refunds', ALLOW.refundCreate, ({ billing }, p) =>
    createRefund(billing, {
      charge: optString(p.charge, 'charge'),
      paymentIntent: optString(p.payment_intent, 'payment_intent'),
      amount: optInt(p.amount, 'amount'),
      reason: oneOf(p.reason, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const),
      metadata: mergeMetadata({}, p.metadata),
    }),
  ),
  route('GET', '/v1/refunds/:id', ALLOW.retrieve, ({ billing }, _p, id) => billing.found(req(id), 'refund')),
  route('GET', '/v1/refunds', ALLOW.refundList, ({ billing }, p) => {
    const charge = optString(p.charge, 'charge');
    return list(
      billing.store.all('refund').filter((r) => charge === undefined || r.charge === charge),
      p,
      '/v1/refunds',
    );
  }),
  route('GET', '/v1/disputes/:id', ALLOW.retrieve, ({ billing }, _p, id) => billing.found(req(id), 'dispute')),
  route('GET', '/v1/disputes', ALLOW.disputeList, ({ billing }, p) => {
    const charge = optString(p.charge, 'charge');
    return list(
      billing.store.all('dispute').filter((d) => charge === undefined || d.charge === charge),
      p,
      '/v1/disputes',
    );
  }),
  route('POST', '/v1/disputes/:id', ALLOW.disputeUpdate, ({ billing }, p, id) => {
    const dispute = billing.found<Dispute>(req(id), 'dispute');
    const evidence = asObject(p.evidence, 'evidence');
    const text = Object.fromEntries(
      Object.entries(evidence).map(([k, v]) => [k, optString(v, `evidence[${k}]`) ?? '']),
    );
    return updateDispute(billing, dispute, {
      evidence: p.evidence === undefined ? undefined : text,
      submit: optBool(p.submit, 'submit') ?? true,
      metadata:
        p.metadata === undefined ? undefined : mergeMetadata(dispute.metadata as Record<string, string>, p.metadata),
    });
  }),
  route('POST', '/v1/disputes/:id/close', ALLOW.disputeClose, ({ billing }, _p, id) =>
    acceptDispute(billing, billing.found<Dispute>(req(id), 'dispute')),
  ),
];

/** A one-off payment: with `confirm=true` it is charged now (a decline answers 402 like Stripe, events included). */
function oneOffPayment(billing: Billing, p: FormObject): PaymentIntent {
  const amount = optInt(p.amount, 'amount');
  if (amount === undefined) throw missingParameter('amount');
  const currency = optString(p.currency, 'currency');
  if (!currency) throw missingParameter('currency');
  const customer = optString(p.customer, 'customer');
  if (customer) billing.liveCustomer(customer, 'customer');
  let method = optString(p.payment_method, 'payment_method') ?? null;
  if (method && customer && isTestToken(method)) method = attachTestPaymentMethod(billing, method, customer).id;
  else if (method && customer) paymentMethodOf(billing, method, customer, 'payment_method');
  const at = billing.now();
  const input = {
    customer: customer ?? '',
    amount,
    currency,
    at,
    description: optString(p.description, 'description') ?? null,
    metadata: mergeMetadata({}, p.metadata),
  };
  if (!optBool(p.confirm, 'confirm')) {
    const { intent } = attemptPayment(billing, input, { outcome: 'requires_payment_method', paymentMethod: method });
    return intent;
  }
  const plan = planPayment(billing, customer ?? '', method);
  const { intent } = attemptPayment(billing, input, plan);
  if (plan.outcome === 'failed') throw cardDeclined(plan.declineCode);
  if (plan.outcome === 'requires_payment_method') throw missingParameter('payment_method');
  return intent;
}
