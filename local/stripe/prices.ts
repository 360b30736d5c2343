import { type Billing, updateAndEmit } from './context';
import { invalidParameter, missingParameter } from './errors';
import { newId, type StripeObject } from './store';
import type { Price, Subscription } from './types';

/**
 * Products and prices (https://docs.stripe.com/products-prices/manage-prices): a lookup key belongs to at most one
 * price ("A price (`price_...`) already uses that lookup key") unless `transfer_lookup_key` moves it, which leaves
 * the old price, and every subscription on it, without a key. Archiving (`active: false`) stops new purchases;
 * existing subscriptions keep renewing on the archived price. Subscription items embed the price as it is now.
 * Events: `product.created/updated`, `price.created/updated`; payloads name the product by id (never expanded).
 */

export interface NewPrice {
  product: string;
  unit_amount: number;
  currency: string;
  recurring: Price['recurring'];
  lookup_key: string | null;
  transfer_lookup_key: boolean;
  nickname: string | null;
  metadata: Record<string, string>;
  active: boolean;
}

export function createPrice(billing: Billing, input: NewPrice): Price {
  const product = billing.found(input.product, 'product', 'product');
  if (input.lookup_key) claimLookupKey(billing, input.lookup_key, input.transfer_lookup_key, undefined);
  const now = billing.now();
  const price = billing.store.put<Price>(
    priceObject(newId('price'), now, {
      product: product.id,
      currency: input.currency,
      unitAmount: input.unit_amount,
      recurring: input.recurring,
      lookupKey: input.lookup_key,
      nickname: input.nickname,
      metadata: input.metadata,
      active: input.active,
    }) as Price,
  );
  billing.emit('price.created', price, null, { at: now });
  return price;
}

/** Frees `key` for `newOwner`: refused while another price holds it, unless transferring. */
function claimLookupKey(billing: Billing, key: string, transfer: boolean, newOwner: string | undefined): void {
  const holder = billing.store.all<Price>('price').find((p) => p.lookup_key === key && p.id !== newOwner);
  if (!holder) return;
  if (!transfer) {
    throw invalidParameter('lookup_key', `A price (\`${holder.id}\`) already uses that lookup key.`);
  }
  updatePriceFields(billing, holder, (p) => {
    p.lookup_key = null;
  });
}

export interface PriceChange {
  active?: boolean;
  lookup_key?: string | null;
  transfer_lookup_key?: boolean;
  nickname?: string | null;
  metadata?: Record<string, string>;
}

export function updatePrice(billing: Billing, id: string, change: PriceChange): Price {
  const price = billing.price(id);
  if (change.lookup_key) claimLookupKey(billing, change.lookup_key, change.transfer_lookup_key === true, price.id);
  else if (change.transfer_lookup_key) throw missingParameter('lookup_key');
  updatePriceFields(billing, price, (p) => {
    if (change.active !== undefined) p.active = change.active;
    if (change.lookup_key !== undefined) p.lookup_key = change.lookup_key;
    if (change.nickname !== undefined) p.nickname = change.nickname;
    if (change.metadata !== undefined) p.metadata = change.metadata;
  });
  return price;
}

/** `price.updated`, and every subscription item embedding the price shows it as it is now (no event). */
function updatePriceFields(billing: Billing, price: Price, change: (price: Price) => void): void {
  updateAndEmit(billing, 'price.updated', price, null, change);
  for (const sub of billing.store.all<Subscription>('subscription')) {
    for (const item of sub.items.data) if (item.price.id === price.id) item.price = structuredClone(price);
  }
}

export interface ProductFields {
  name?: string;
  active?: boolean;
  description?: string | null;
  metadata?: Record<string, string>;
  default_price?: string | null;
}

export function createProduct(billing: Billing, fields: ProductFields & { id?: string }): StripeObject {
  if (!fields.name) throw missingParameter('name');
  const now = billing.now();
  const product = billing.store.put(
    productObject(fields.id ?? newId('prod', 14), now, {
      name: fields.name,
      description: fields.description ?? null,
      metadata: fields.metadata ?? {},
      defaultPrice: null,
      active: fields.active ?? true,
    }),
  );
  billing.emit('product.created', product, null, { at: now });
  return product;
}

export function updateProduct(billing: Billing, id: string, fields: ProductFields): StripeObject {
  const product = billing.found(id, 'product');
  if (fields.default_price) billing.price(fields.default_price, 'default_price');
  updateAndEmit(billing, 'product.updated', product, null, (p) => {
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) p[key] = value;
    p.updated = billing.now();
  });
  return product;
}

/** A product as Stripe returns it (https://docs.stripe.com/api/products/object). */
export function productObject(
  id: string,
  now: number,
  fields: {
    name: string;
    description: string | null;
    metadata: Record<string, string>;
    defaultPrice: string | null;
    active: boolean;
  },
): StripeObject {
  return {
    id,
    object: 'product',
    active: fields.active,
    created: now,
    default_price: fields.defaultPrice,
    description: fields.description,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: fields.metadata,
    name: fields.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type: 'service',
    unit_label: null,
    updated: now,
    url: null,
  };
}

/** A price as Stripe returns it (https://docs.stripe.com/api/prices/object): recurring, or one-time when null. */
export function priceObject(
  id: string,
  now: number,
  fields: {
    product: string;
    currency: string;
    unitAmount: number;
    recurring: { interval: string; interval_count: number } | null;
    lookupKey: string | null;
    nickname: string | null;
    metadata: Record<string, string>;
    active: boolean;
  },
): StripeObject {
  return {
    id,
    object: 'price',
    active: fields.active,
    billing_scheme: 'per_unit',
    created: now,
    currency: fields.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: fields.lookupKey,
    metadata: fields.metadata,
    nickname: fields.nickname,
    product: fields.product,
    recurring: fields.recurring
      ? { ...fields.recurring, meter: null, usage_type: 'licensed', trial_period_days: null }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: fields.recurring ? 'recurring' : 'one_time',
    unit_amount: fields.unitAmount,
    unit_amount_decimal: String(fields.unitAmount),
  };
}
