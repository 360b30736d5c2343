import type { PlanCatalog } from './plan-catalog';
import type { PlanDefinition, PlanId } from './plan-catalog-schema';
import type { NormalisedSubscription } from './stripe-normalised';

/**
 * The one mapping of a Stripe subscription to a catalog plan, shared by every path that reads a subscription (an
 * event's payload, a tie's re-read of Stripe, reconcile), so the same subscription never maps two ways. Pure module.
 *
 * 1. The payload: each price through the catalog (`PlanCatalog.planForPrice`: price id, lookup key, price
 *    `metadata.plan`, product id), the best plan by precedence; else our checkout's claim (`metadata.plan` with the
 *    `metadata.price_id` it sold) while the subscription is still on that very price.
 * 2. What this customer's earlier events taught (the plan memory): a price that once mapped keeps its plan after its
 *    lookup key moved (`transfer_lookup_key`), and a subscription whose price maps to nothing keeps its last known
 *    plan (a configuration error the webhook logs and counts, rather than silently dropping the user to free).
 *
 * The memory is a set of max-registers keyed by event time, learned from every event (older ones too), so any
 * delivery order teaches the same memory.
 */

export interface RememberedPlan {
  plan: PlanId;
  /** `created` of the newest event (or re-read) that showed this mapping. */
  at: number;
}

export interface PlanMemory {
  /** Price id -> the plan it mapped to in this customer's newest event showing it. */
  prices: Record<string, RememberedPlan>;
  /** Subscription id -> the plan its newest mapped event had. */
  subscriptions: Record<string, RememberedPlan>;
}

export function emptyPlanMemory(): PlanMemory {
  return { prices: {}, subscriptions: {} };
}

const bestOf = (plans: (PlanDefinition | undefined)[]) =>
  plans.filter((plan): plan is PlanDefinition => plan !== undefined).sort((a, b) => a.precedence - b.precedence)[0];

/** The plan a subscription's own payload gives, and the price id -> plan pairs it showed. */
export function payloadPlan(
  subscription: Pick<NormalisedSubscription, 'prices' | 'checkoutClaim'>,
  catalog: PlanCatalog,
): { plan: PlanDefinition | undefined; mapped: Record<string, PlanId> } {
  const mapped: Record<string, PlanId> = {};
  const plans = subscription.prices.map((price) => {
    const plan = catalog.planForPrice(price);
    if (plan && price.id) mapped[price.id] = plan.id;
    return plan;
  });
  const byCatalog = bestOf(plans);
  if (byCatalog) return { plan: byCatalog, mapped };
  const claim = subscription.checkoutClaim;
  const claimed = claim ? catalog.purchasable(claim.plan) : undefined;
  if (claim && claimed && subscription.prices.some((price) => price.id === claim.priceId)) {
    return { plan: claimed, mapped: { ...mapped, [claim.priceId]: claimed.id } };
  }
  return { plan: undefined, mapped };
}

/** Newer wins; at the same second the smaller plan id, so the register never depends on arrival order. */
function newer(stored: RememberedPlan | undefined, candidate: RememberedPlan): boolean {
  if (!stored) return true;
  if (candidate.at !== stored.at) return candidate.at > stored.at;
  return candidate.plan < stored.plan;
}

/** The memory after seeing `subscription` at `at` (returns the same object when nothing is learned). */
export function rememberPlans(
  memory: PlanMemory,
  subscription: Pick<NormalisedSubscription, 'id' | 'prices' | 'checkoutClaim'>,
  catalog: PlanCatalog,
  at: number,
): PlanMemory {
  const { plan, mapped } = payloadPlan(subscription, catalog);
  if (!plan) return memory;
  let prices = memory.prices;
  for (const [priceId, planId] of Object.entries(mapped)) {
    const candidate = { plan: planId, at };
    if (newer(prices[priceId], candidate)) prices = { ...prices, [priceId]: candidate };
  }
  let subscriptions = memory.subscriptions;
  const candidate = { plan: plan.id, at };
  if (newer(subscriptions[subscription.id], candidate)) {
    subscriptions = { ...subscriptions, [subscription.id]: candidate };
  }
  return prices === memory.prices && subscriptions === memory.subscriptions ? memory : { prices, subscriptions };
}

export type PlanSource = 'payload' | 'remembered-price' | 'last-known' | 'none';

/**
 * The plan a stored subscription snapshot stands for: its payload's plan, else a remembered price of it, else the
 * subscription's last known plan, else none (grants nothing).
 */
export function resolvePlan(
  snapshot: { id: string; plan: PlanId | null; priceIds?: readonly string[] },
  memory: PlanMemory,
  catalog: PlanCatalog,
): { plan: PlanId | null; source: PlanSource } {
  if (snapshot.plan !== null) return { plan: snapshot.plan, source: 'payload' };
  const remembered = bestOf(
    (snapshot.priceIds ?? []).map((id) => {
      const planId = memory.prices[id]?.plan;
      return planId ? catalog.purchasable(planId) : undefined;
    }),
  );
  if (remembered) return { plan: remembered.id, source: 'remembered-price' };
  const last = catalog.purchasable(memory.subscriptions[snapshot.id]?.plan);
  if (last) return { plan: last.id, source: 'last-known' };
  return { plan: null, source: 'none' };
}
