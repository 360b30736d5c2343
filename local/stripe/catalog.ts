import type { PlanCatalog } from '../../lambdas/domain/plan-catalog';
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
    const product: StripeObject = store.get(productId) ?? {
      id: productId,
      object: 'product',
      active: true,
      created: now,
      default_price: null,
      description: null,
      images: [],
      livemode: false,
      marketing_features: [],
      metadata: { plan: plan.id },
      name: plan.id.charAt(0).toUpperCase() + plan.id.slice(1),
      package_dimensions: null,
      shippable: null,
      statement_descriptor: null,
      tax_code: null,
      type: 'service',
      unit_label: null,
      updated: now,
      url: null,
    };
    store.put(product);
    for (const interval of ['month', 'year'] as const) {
      const lookupKey = plan.prices[interval];
      if (!lookupKey) continue;
      const priceId = `price_local_${lookupKey}`;
      if (store.get(priceId)) continue;
      const monthly = MONTHLY_CENTS[plan.id] ?? 1000;
      const amount = interval === 'month' ? monthly : monthly * 10;
      store.put({
        id: priceId,
        object: 'price',
        active: true,
        billing_scheme: 'per_unit',
        created: now,
        currency: 'usd',
        custom_unit_amount: null,
        livemode: false,
        lookup_key: lookupKey,
        metadata: {},
        nickname: `${product.name} ${interval}ly`,
        product: productId,
        recurring: { interval, interval_count: 1, meter: null, usage_type: 'licensed', trial_period_days: null },
        tax_behavior: 'unspecified',
        tiers_mode: null,
        transform_quantity: null,
        type: 'recurring',
        unit_amount: amount,
        unit_amount_decimal: String(amount),
      });
      if (interval === 'month') product.default_price = priceId;
    }
  }
}
