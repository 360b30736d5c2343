import { asObject, mergeMetadata, optBool, optInt, optString, stringList } from '../coerce';
import { invalidParameter, missingParameter } from '../errors';
import type { FormObject } from '../form';
import { ALLOW } from '../params';
import { createPrice, createProduct, updatePrice, updateProduct } from '../prices';
import type { Price } from '../types';
import { list, oneOf, type Route, req, route } from './route';

/** `/v1/products` and `/v1/prices` (https://docs.stripe.com/api/prices, https://docs.stripe.com/api/products). */
export const CATALOG_ROUTES: Route[] = [
  route('GET', '/v1/products', ALLOW.productList, ({ billing }, p) => {
    const active = optBool(p.active, 'active');
    const ids = p.ids === undefined ? undefined : new Set(stringList(p.ids, 'ids'));
    const found = billing.store
      .all('product')
      .filter((x) => (active === undefined || x.active === active) && (!ids || ids.has(x.id)));
    return list(found, p, '/v1/products');
  }),
  route('GET', '/v1/products/:id', ALLOW.retrieve, ({ billing }, _p, id) => billing.found(req(id), 'product')),
  route('POST', '/v1/products', ALLOW.productCreate, ({ billing }, p) =>
    createProduct(billing, { ...productFields(p), id: optString(p.id, 'id') }),
  ),
  route('POST', '/v1/products/:id', ALLOW.productUpdate, ({ billing }, p, id) => {
    const product = billing.found(req(id), 'product');
    const metadata =
      p.metadata === undefined ? undefined : mergeMetadata(product.metadata as Record<string, string>, p.metadata);
    return updateProduct(billing, product.id, { ...productFields(p), metadata });
  }),
  route('GET', '/v1/prices', ALLOW.priceList, ({ billing }, p) => {
    const keys = p.lookup_keys === undefined ? undefined : new Set(stringList(p.lookup_keys, 'lookup_keys'));
    const active = optBool(p.active, 'active');
    const product = optString(p.product, 'product');
    const type = optString(p.type, 'type');
    const interval = optString(asObject(p.recurring, 'recurring').interval, 'recurring[interval]');
    const found = billing.store
      .all<Price>('price')
      .filter(
        (x) =>
          (!keys || (x.lookup_key !== null && keys.has(x.lookup_key))) &&
          (active === undefined || x.active === active) &&
          (product === undefined || x.product === product) &&
          (type === undefined || x.type === type) &&
          (interval === undefined || x.recurring?.interval === interval),
      );
    return list(found, p, '/v1/prices');
  }),
  route('GET', '/v1/prices/:id', ALLOW.retrieve, ({ billing }, _p, id) => billing.price(req(id))),
  route('POST', '/v1/prices', ALLOW.priceCreate, ({ billing }, p) => {
    const product = optString(p.product, 'product');
    if (!product) throw missingParameter('product');
    const currency = optString(p.currency, 'currency');
    if (!currency) throw missingParameter('currency');
    const unitAmount = optInt(p.unit_amount, 'unit_amount');
    if (unitAmount === undefined || unitAmount < 0) throw missingParameter('unit_amount');
    return createPrice(billing, {
      product,
      currency,
      unit_amount: unitAmount,
      recurring: recurringOf(p),
      lookup_key: optString(p.lookup_key, 'lookup_key') ?? null,
      transfer_lookup_key: optBool(p.transfer_lookup_key, 'transfer_lookup_key') ?? false,
      nickname: optString(p.nickname, 'nickname') ?? null,
      metadata: mergeMetadata({}, p.metadata),
      active: optBool(p.active, 'active') ?? true,
    });
  }),
  route('POST', '/v1/prices/:id', ALLOW.priceUpdate, ({ billing }, p, id) => {
    const price = billing.price(req(id));
    const lookupKey = optString(p.lookup_key, 'lookup_key');
    const nickname = optString(p.nickname, 'nickname');
    return updatePrice(billing, price.id, {
      active: optBool(p.active, 'active'),
      lookup_key: lookupKey === undefined ? undefined : lookupKey === '' ? null : lookupKey,
      transfer_lookup_key: optBool(p.transfer_lookup_key, 'transfer_lookup_key'),
      nickname: nickname === undefined ? undefined : nickname === '' ? null : nickname,
      metadata: p.metadata === undefined ? undefined : mergeMetadata(price.metadata, p.metadata),
    });
  }),
];

function recurringOf(p: FormObject): Price['recurring'] {
  if (p.recurring === undefined) return null;
  const recurring = asObject(p.recurring, 'recurring');
  const interval = oneOf(recurring.interval, 'recurring[interval]', ['day', 'week', 'month', 'year'] as const);
  if (!interval) throw missingParameter('recurring[interval]');
  const count = optInt(recurring.interval_count, 'recurring[interval_count]') ?? 1;
  if (count < 1) throw invalidParameter('recurring[interval_count]', 'interval_count must be at least 1');
  return { interval, interval_count: count };
}

function productFields(p: FormObject) {
  const description = optString(p.description, 'description');
  const defaultPrice = optString(p.default_price, 'default_price');
  return {
    name: optString(p.name, 'name'),
    active: optBool(p.active, 'active'),
    description: description === '' ? null : description,
    metadata: p.metadata === undefined ? undefined : mergeMetadata({}, p.metadata),
    default_price: defaultPrice === '' ? null : defaultPrice,
  };
}
