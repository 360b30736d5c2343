import { asObject, optString } from '../coerce';
import { collectInvoice } from '../collection';
import { cardDeclined, invalidParameter, StripeApiError } from '../errors';
import { ALLOW } from '../params';
import type { StripeObject } from '../store';
import type { Invoice } from '../types';
import { list, type Route, req, route } from './route';

/** `/v1/invoices` (https://docs.stripe.com/api/invoices): list, retrieve, and `pay` (an attempt now). */
export const INVOICE_ROUTES: Route[] = [
  route('GET', '/v1/invoices', ALLOW.invoiceList, ({ billing }, p) => {
    const customer = optString(p.customer, 'customer');
    const subscription = optString(p.subscription, 'subscription');
    const status = optString(p.status, 'status');
    const found = billing.store
      .all<Invoice>('invoice')
      .filter(
        (i) =>
          (customer === undefined || i.customer === customer) &&
          (subscription === undefined || i.parent?.subscription_details?.subscription === subscription) &&
          (status === undefined || i.status === status),
      );
    return list(found, p, '/v1/invoices');
  }),
  route('GET', '/v1/invoices/:id', ALLOW.retrieve, ({ billing }, _p, id) => billing.invoice(req(id))),
  // https://docs.stripe.com/api/invoice-payment/list: by invoice, or by the payment (a PaymentIntent) it was paid with.
  route('GET', '/v1/invoice_payments', ALLOW.invoicePaymentList, ({ billing }, p) => {
    const invoice = optString(p.invoice, 'invoice');
    const payment = p.payment === undefined ? undefined : asObject(p.payment, 'payment');
    const type = optString(payment?.type, 'payment[type]');
    const intent = optString(payment?.payment_intent, 'payment[payment_intent]');
    if (payment && type !== 'payment_intent') {
      throw invalidParameter('payment[type]', 'The emulator lists invoice payments of PaymentIntents only.');
    }
    const status = optString(p.status, 'status');
    const found = billing.store
      .all<Invoice>('invoice')
      .flatMap((i) => (i.payments?.data ?? []) as (StripeObject & { payment: { payment_intent?: string } })[])
      .filter(
        (pay) =>
          (invoice === undefined || pay.invoice === invoice) &&
          (intent === undefined || pay.payment?.payment_intent === intent) &&
          (status === undefined || pay.status === status),
      );
    return list(found, p, '/v1/invoice_payments');
  }),
  route('POST', '/v1/invoices/:id/pay', ALLOW.invoicePay, ({ billing }, _p, id) => {
    const invoice = billing.invoice(req(id));
    if (invoice.status !== 'open') {
      throw new StripeApiError(400, `Invoice is already ${invoice.status === 'paid' ? 'paid' : invoice.status}`, {
        code: 'invoice_not_editable',
      });
    }
    collectInvoice(billing, invoice, billing.now());
    if (invoice.status === 'open') throw cardDeclined();
    return invoice;
  }),
];
