import type { CreditPacks } from '../../lambdas/domain/credit-packs';
import type { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import { priceObject, productObject } from './prices';
import type { StripeObject, StripeStore } from './store';

/** Local list prices (cents) per plan and month; a year costs ten months. Unknown plans cost 10.00. */
const MONTHLY_CENTS: Record<string, number> = { starter: 900, pro: 2900, business: 9900, enterprise: 49900 };

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
        active: true,
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
      const recurring = { interval, interval_count: 1 };
      const price = { product: productId, currency: 'usd', unitAmount: amount, recurring, lookupKey, nickname };
      store.put(priceObject(priceId, now, { ...price, metadata: {}, active: true }));
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
      store.put(
        productObject(productId, now, { name, description: name, metadata: {}, defaultPrice: priceId, active: true }),
      );
    if (store.get(priceId)) continue;
    const amount = pack.credits * CENTS_PER_CREDIT;
    const price = { product: productId, currency: 'usd', unitAmount: amount, recurring: null, nickname: name };
    store.put(priceObject(priceId, now, { ...price, lookupKey: pack.lookupKey, metadata: {}, active: true }));
  }
}
