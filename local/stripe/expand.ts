import type { Billing } from './context';
import { invalidParameter } from './errors';
import type { Subscription } from './types';

/**
 * Stripe's `expand[]` (https://docs.stripe.com/expand): replaces ids along each dot path with the objects (lists
 * walk their `data`), at most 4 levels, so `data.items.data.price.product` is refused.
 */

const EXPANDABLE: Record<string, string> = {
  cus_: 'customer',
  sub_: 'subscription',
  price_: 'price',
  prod_: 'product',
  in_: 'invoice',
  cs_: 'checkout.session',
  pi_: 'payment_intent',
  ch_: 'charge',
  pm_: 'payment_method',
  re_: 'refund',
  du_: 'dispute',
  bpc_: 'billing_portal.configuration',
  sub_sched_: 'subscription_schedule',
};

export function expandPaths(billing: Billing, value: unknown, paths: string[]): unknown {
  const copy = structuredClone(value);
  const lazy: ExpandContext = {};
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4)
      throw invalidParameter('expand', `You cannot expand more than 4 levels of a property (${path}).`);
    expandAt(billing, copy, segments, path, lazy);
  }
  return copy;
}

/** Per-request index for `subscriptions` on customers (a customer list expands it 100 times per page). */
interface ExpandContext {
  subscriptionsByCustomer?: Map<string, Subscription[]>;
}

/** Longest prefix first (`sub_sched_` before `sub_`). */
const PREFIXES = Object.keys(EXPANDABLE).sort((a, b) => b.length - a.length);

const ENDED_SUBSCRIPTION_STATUSES = new Set(['canceled', 'incomplete_expired']);

/**
 * `customer.subscriptions` is not part of a customer (since API 2020-08-27) but can be expanded: Stripe embeds a
 * list of the customer's current subscriptions (not canceled), the first 10, with `has_more`.
 */
function customerSubscriptions(billing: Billing, customerId: string, context: ExpandContext) {
  if (!context.subscriptionsByCustomer) {
    const index = new Map<string, Subscription[]>();
    for (const sub of billing.store.all<Subscription>('subscription')) {
      if (ENDED_SUBSCRIPTION_STATUSES.has(sub.status)) continue;
      index.set(sub.customer, [...(index.get(sub.customer) ?? []), sub]);
    }
    context.subscriptionsByCustomer = index;
  }
  const all = context.subscriptionsByCustomer.get(customerId) ?? [];
  return {
    object: 'list',
    data: structuredClone(all.slice(0, 10)),
    has_more: all.length > 10,
    total_count: all.length,
    url: `/v1/customers/${customerId}/subscriptions`,
  };
}

function expandAt(
  billing: Billing,
  holder: unknown,
  segments: string[],
  path: string,
  context: ExpandContext = {},
): void {
  const [head, ...rest] = segments;
  if (head === undefined || typeof holder !== 'object' || holder === null) return;
  const record = holder as Record<string, unknown>;
  if (Array.isArray(holder)) {
    for (const entry of holder) expandAt(billing, entry, segments, path, context);
    return;
  }
  if (head === 'subscriptions' && record.object === 'customer' && !(head in record)) {
    record[head] = customerSubscriptions(billing, String(record.id), context);
  }
  if (!(head in record)) throw invalidParameter('expand', `This property cannot be expanded (${path}).`);
  let target = record[head];
  if (typeof target === 'string') {
    const prefix = PREFIXES.find((p) => (target as string).startsWith(p));
    const found = prefix ? billing.store.get(target, EXPANDABLE[prefix]) : undefined;
    if (!found) throw invalidParameter('expand', `This property cannot be expanded (${path}).`);
    target = structuredClone(found);
    record[head] = target;
  }
  if (rest.length) expandAt(billing, target, rest, path, context);
}
