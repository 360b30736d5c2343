import { asObject, mergeMetadata, optString } from '../coerce';
import type { Billing } from '../context';
import { createCustomer, deleteCustomer, updateCustomer } from '../customers';
import { invalidParameter, missingParameter } from '../errors';
import type { FormObject } from '../form';
import { ALLOW } from '../params';
import { attachTestPaymentMethod, isTestToken, paymentMethodOf } from '../payment-methods';
import type { Customer } from '../types';
import { list, type Route, req, route } from './route';

/** `/v1/customers` and `/v1/payment_methods` (test tokens, https://docs.stripe.com/testing). */
export const CUSTOMER_ROUTES: Route[] = [
  route('POST', '/v1/customers', ALLOW.customerCreate, ({ billing }, p) => {
    const customer = createCustomer(billing, {
      email: optString(p.email, 'email'),
      name: optString(p.name, 'name'),
      description: optString(p.description, 'description'),
      phone: optString(p.phone, 'phone'),
      metadata: mergeMetadata({}, p.metadata),
    });
    const token = optString(p.payment_method, 'payment_method');
    const attached = token ? attachTestPaymentMethod(billing, token, customer.id).id : undefined;
    const wanted = optString(
      asObject(p.invoice_settings, 'invoice_settings').default_payment_method,
      'invoice_settings[default_payment_method]',
    );
    if (wanted) {
      const id = wanted === token && attached ? attached : wanted;
      return setDefaultPaymentMethod(billing, customer.id, id);
    }
    return customer;
  }),
  route('GET', '/v1/customers', ALLOW.customerList, ({ billing }, p) => {
    const email = optString(p.email, 'email');
    // Stripe's email filter is exact and case-sensitive.
    const found = billing.store
      .all<Customer>('customer')
      .filter((c) => !c.deleted && (email === undefined || c.email === email));
    return list(found, p, '/v1/customers');
  }),
  route('GET', '/v1/customers/:id', ALLOW.retrieve, ({ billing }, _p, id) => {
    const customer = billing.customer(req(id));
    // Stripe answers a deleted customer with a stub, not a 404.
    return customer.deleted ? { id: customer.id, object: 'customer', deleted: true } : customer;
  }),
  route('POST', '/v1/customers/:id', ALLOW.customerUpdate, ({ billing }, p, id) =>
    updateCustomerFields(billing, req(id), p),
  ),
  route('DELETE', '/v1/customers/:id', ALLOW.customerDelete, ({ billing }, _p, id) => deleteCustomer(billing, req(id))),
  route('GET', '/v1/customers/:id/payment_methods', ALLOW.paymentMethodList, ({ billing }, p, id) => {
    billing.liveCustomer(req(id));
    return list(
      billing.store.all('payment_method').filter((m) => m.customer === id),
      p,
      `/v1/customers/${id}/payment_methods`,
    );
  }),
  route('POST', '/v1/payment_methods/:id/attach', ALLOW.paymentMethodAttach, ({ billing }, p, id) => {
    const customer = optString(p.customer, 'customer');
    if (!customer) throw missingParameter('customer');
    billing.liveCustomer(customer, 'customer');
    if (!isTestToken(req(id)))
      throw invalidParameter('payment_method', `The emulator attaches test tokens only (${id}).`);
    return attachTestPaymentMethod(billing, req(id), customer);
  }),
  route('GET', '/v1/payment_methods/:id', ALLOW.retrieve, ({ billing }, _p, id) =>
    billing.found(req(id), 'payment_method'),
  ),
];

function updateCustomerFields(billing: Billing, id: string, p: FormObject): Customer {
  const settings = asObject(p.invoice_settings, 'invoice_settings');
  const wanted = optString(settings.default_payment_method, 'invoice_settings[default_payment_method]');
  if (wanted) paymentMethodOf(billing, wanted, id, 'invoice_settings[default_payment_method]');
  return updateCustomer(billing, id, (customer) => {
    for (const field of ['email', 'name', 'description', 'phone'] as const) {
      const value = optString(p[field], field);
      if (value !== undefined) customer[field] = value === '' ? null : value;
    }
    customer.metadata = mergeMetadata(customer.metadata, p.metadata);
    if (wanted !== undefined) {
      customer.invoice_settings = {
        ...customer.invoice_settings,
        default_payment_method: wanted === '' ? null : wanted,
      };
    }
  });
}

/** The customer's default for invoices: must be one of its attached payment methods. */
function setDefaultPaymentMethod(billing: Billing, customerId: string, paymentMethod: string): Customer {
  paymentMethodOf(billing, paymentMethod, customerId, 'invoice_settings[default_payment_method]');
  return updateCustomer(billing, customerId, (customer) => {
    customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: paymentMethod };
  });
}
