import type { CreditPacks } from '../../lambdas/domain/credit-packs';
import type { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import type { StripeObject, StripeStore } from './store';

/** Local list prices (cents) per plan and month; a year costs ten months. Unknown plans cost 10.00. */
const MONTHLY_CENTS: Record<string, number> = { starter: 900, pro: 2900, business: 9900, enterprise: 49900 };

/** A product as Stripe returns it (https://docs.stripe.com/api/products/object), stable id, no events. */
function productObject(
  id: string,
  now: number,
  fields: { name: string; description: string | null; metadata: Record<string, string>; defaultPrice: string | null },
): StripeObject {
  return {
    id,
    object: 'product',
    active: true,
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

/**
 * A price as Stripe returns it (https://docs.stripe.com/api/prices/object): recurring when `interval` is given,
 * else one-time (`recurring: null`).
 */
function priceObject(
  id: string,
  now: number,
  fields: { product: string; lookupKey: string; nickname: string; amount: number; interval?: 'month' | 'year' },
): StripeObject {
  return {
    id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: now,
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: fields.lookupKey,
    metadata: {},
    nickname: fields.nickname,
    product: fields.product,
    recurring: fields.interval
      ? { interval: fields.interval, interval_count: 1, meter: null, usage_type: 'licensed', trial_period_days: null }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: fields.interval ? 'recurring' : 'one_time',
    unit_amount: fields.amount,
    unit_amount_decimal: String(fields.amount),
  };
}

/**
 * One product per paid plan and one recurring price per lookup key, with stable ids (`prod_local_pro`,
 * `price_local_pro_monthly`) so persisted subscriptions keep pointing at them across restarts. The account is taken
 * as already set up (no events). Like a real setup the prices carry their `lookup_key` and no metadata; the plan id
 * is on the product (`metadata.plan`), which events never expand (the price names its product by id).
 */
export function seedCatalog(store: StripeStore, catalog: PlanCatalog, now: number): void {
  for (const plan of catalog.paidPlans()) {
    const productId = `prod_local_${plan.id}`;
    const product: StripeObject =
      store.get(productId) ??
      productObject(productId, now, {
        name: plan.id.charAt(0).toUpperCase() + plan.id.slice(1),
        description: null,
        metadata: { plan: plan.id },
        defaultPrice: null,
      });
    store.put(product);
    for (const interval of ['month', 'year'] as const) {
      const lookupKey = plan.prices[interval];
      if (!lookupKey) continue;
      const priceId = `price_local_${lookupKey}`;
      if (store.get(priceId)) continue;
      const monthly = MONTHLY_CENTS[plan.id] ?? 1000;
      const amount = interval === 'month' ? monthly : monthly * 10;
      const nickname = `${product.name} ${interval}ly`;
      store.put(priceObject(priceId, now, { product: productId, lookupKey, nickname, amount, interval }));
      if (interval === 'month') product.default_price = priceId;
    }
  }
}

/** Local list price (cents) of one credit: a pack of 500 costs 25.00. */
const CENTS_PER_CREDIT = 5;

/**
 * One product and one one-time price (`type: one_time`, `recurring: null`) per credit pack, with stable ids
 * (`prod_local_credits_500`, `price_local_credits_500`): what Checkout sells in `payment` mode.
 */
export function seedCreditPacks(store: StripeStore, packs: CreditPacks, now: number): void {
  for (const pack of packs.packs) {
    const productId = `prod_local_${pack.id}`;
    const priceId = `price_local_${pack.lookupKey}`;
    const name = `${pack.credits} credits`;
    if (!store.get(productId))
      store.put(productObject(productId, now, { name, description: name, metadata: {}, defaultPrice: priceId }));
    if (store.get(priceId)) continue;
    const amount = pack.credits * CENTS_PER_CREDIT;
    store.put(priceObject(priceId, now, { product: productId, lookupKey: pack.lookupKey, nickname: name, amount }));
  }
}
