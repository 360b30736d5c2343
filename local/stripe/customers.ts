import { type Billing, updateAndEmit } from './context';
import { newId, type StripeObject } from './store';
import { cancelSubscription } from './subscriptions';
import { type Customer, type Subscription, TERMINAL_STATUSES } from './types';

/**
 * Customers (https://docs.stripe.com/api/customers): `customer.created`, `customer.updated` (with
 * previous_attributes), and deletion (https://docs.stripe.com/api/customers/delete): "Permanently deletes a customer.
 * It cannot be undone. Also immediately cancels any active subscriptions on the customer." Each subscription ends
 * with `customer.subscription.deleted`, then `customer.deleted` carries the customer as it was; afterwards a
 * retrieve answers `{ id, object, deleted: true }` and every other call naming it answers `resource_missing`.
 */

export interface NewCustomer {
  email?: string;
  name?: string;
  description?: string;
  phone?: string;
  metadata: Record<string, string>;
}

export function createCustomer(billing: Billing, fields: NewCustomer): Customer {
  const customer = billing.store.put<Customer>({
    id: newId('cus', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: billing.now(),
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
  billing.emit('customer.created', customer, customer.id);
  return customer;
}

export function updateCustomer(billing: Billing, id: string, change: (customer: Customer) => void): Customer {
  const customer = billing.liveCustomer(id);
  updateAndEmit(billing, 'customer.updated', customer, id, change);
  return customer;
}

export function deleteCustomer(billing: Billing, id: string): StripeObject {
  const customer = billing.liveCustomer(id);
  const at = billing.now();
  for (const sub of billing.store.all<Subscription>('subscription')) {
    if (sub.customer === id && !TERMINAL_STATUSES.has(sub.status)) cancelSubscription(billing, sub, { at });
  }
  billing.emit('customer.deleted', customer, id, { at });
  billing.store.put<Customer>({ id, object: 'customer', deleted: true, email: null, metadata: {} });
  return { id, object: 'customer', deleted: true };
}
