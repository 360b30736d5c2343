import { describe, expect, it } from 'vitest';
import { computeEntitlement } from '../../../lambdas/domain/entitlement-policy';
import {
  type CustomerState,
  customerStateOf,
  resolvedSubscriptions,
  transition,
  withStripeSubscriptions,
} from '../../../lambdas/domain/event-ordering';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { emptyPlanMemory, payloadPlan, rememberPlans, resolvePlan } from '../../../lambdas/domain/plan-mapping';
import { type NormalisedEvent, normaliseEvent, normaliseSubscription } from '../../../lambdas/domain/stripe-events';
import { stripeEvent, subscriptionObject } from '../../fixtures/stripe/builders';

const catalog = PlanCatalog.defaults();
const policy = { gracePeriodDays: 7, paymentReversal: 'revoke' as const };
const T0 = 1767225600;
const NOW = new Date((T0 + 10 * 86400) * 1000);

type Price = { id: string; key: string | null; product?: string };
/** A subscription payload on one price (the builder's price, with its id, key and product set). */
function subscriptionOn(price: Price, options: { id?: string; claim?: { plan: string; priceId: string } } = {}) {
  const object = subscriptionObject({ id: options.id ?? 'sub_a', lookupKey: price.key });
  const item = (object.items as { data: { price: Record<string, unknown> }[] }).data[0];
  if (!item) throw new Error('fixture');
  item.price = { ...item.price, id: price.id, lookup_key: price.key, product: price.product ?? 'prod_x' };
  if (options.claim) {
    object.metadata = { cognito_sub: 'sub-user-1', plan: options.claim.plan, price_id: options.claim.priceId };
  }
  return object;
}

function eventOf(object: Record<string, unknown>, created: number, id = `evt_${created}`): NormalisedEvent {
  const raw = stripeEvent('customer.subscription.updated', object, { id, created });
  return normaliseEvent(raw as never);
}

function replay(events: NormalisedEvent[], start: CustomerState = customerStateOf(undefined)): CustomerState {
  let state = start;
  for (const event of events) {
    const step = transition(state, event, catalog);
    if (step.kind !== 'unchanged') state = step.state;
  }
  return state;
}

const planOf = (state: CustomerState) =>
  computeEntitlement(resolvedSubscriptions(state, catalog), catalog, NOW, policy, state.billing).plan;

const P_KEYED: Price = { id: 'price_p', key: 'starter_monthly' };
const P_KEYLESS: Price = { id: 'price_p', key: null };
const NEW_KEYLESS: Price = { id: 'price_new', key: null };

describe('payloadPlan: the catalog first, then our checkout claim while still on the sold price', () => {
  it.each([
    ['catalog (lookup key)', P_KEYED, undefined, 'starter'],
    ['keyless price, no claim', P_KEYLESS, undefined, undefined],
    ['keyless price, claim for this price', P_KEYLESS, { plan: 'pro', priceId: 'price_p' }, 'pro'],
    [
      'keyless price, claim for another price (plan changed since)',
      P_KEYLESS,
      { plan: 'pro', priceId: 'price_q' },
      undefined,
    ],
    ['the catalog wins over the claim', P_KEYED, { plan: 'pro', priceId: 'price_p' }, 'starter'],
    ['a claim naming a plan that is not sold', P_KEYLESS, { plan: 'trial', priceId: 'price_p' }, undefined],
  ])('%s -> %s', (_name, price, claim, expected) => {
    const subscription = normaliseSubscription(subscriptionOn(price, claim ? { claim } : {}));
    expect(payloadPlan(subscription, catalog).plan?.id).toBe(expected);
  });
});

describe('resolvePlan: payload, then a remembered price, then the last known plan', () => {
  const memory = rememberPlans(
    emptyPlanMemory(),
    normaliseSubscription(subscriptionOn({ id: 'price_p', key: 'pro_monthly' })),
    catalog,
    T0,
  );

  it.each([
    ['the payload maps', { id: 'sub_a', plan: 'business' as const, priceIds: ['price_p'] }, 'business', 'payload'],
    [
      'a remembered price (its key moved away)',
      { id: 'sub_b', plan: null, priceIds: ['price_p'] },
      'pro',
      'remembered-price',
    ],
    ['an unknown price: the last known plan', { id: 'sub_a', plan: null, priceIds: ['price_z'] }, 'pro', 'last-known'],
    ['an unknown price on an unknown subscription', { id: 'sub_c', plan: null, priceIds: ['price_z'] }, null, 'none'],
    ['a record from before price ids were kept', { id: 'sub_c', plan: null }, null, 'none'],
  ])('%s', (_name, snapshot, plan, source) => {
    expect(resolvePlan(snapshot, memory, catalog)).toEqual({ plan, source });
  });
});

describe('plan mapping over event histories, in every delivery order', () => {
  const cases: { name: string; events: NormalisedEvent[]; plan: string }[] = [
    {
      name: 'transfer_lookup_key: the price keeps its plan after its key moved',
      events: [eventOf(subscriptionOn(P_KEYED), T0), eventOf(subscriptionOn(P_KEYLESS), T0 + 30 * 86400)],
      plan: 'starter',
    },
    {
      name: 'a new subscriber on a keyless price our checkout sold (price cached before the key moved)',
      events: [eventOf(subscriptionOn(P_KEYLESS, { claim: { plan: 'pro', priceId: 'price_p' } }), T0)],
      plan: 'pro',
    },
    {
      name: 'moved to a price that maps to nothing: the last known plan is kept',
      events: [eventOf(subscriptionOn(P_KEYED), T0), eventOf(subscriptionOn(NEW_KEYLESS), T0 + 5)],
      plan: 'starter',
    },
    {
      name: 'moved to a mapped price: the new plan',
      events: [
        eventOf(subscriptionOn(P_KEYED), T0),
        eventOf(subscriptionOn({ id: 'price_b', key: 'business_monthly' }), T0 + 5),
      ],
      plan: 'business',
    },
    {
      name: 'never mapped: nothing is granted',
      events: [eventOf(subscriptionOn(NEW_KEYLESS), T0)],
      plan: 'free',
    },
  ];

  const permutations = <T>(items: T[]): T[][] =>
    items.length <= 1
      ? [items]
      : items.flatMap((item, i) =>
          permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [item, ...p]),
        );

  it.each(cases)('$name', ({ events, plan }) => {
    for (const order of permutations(events)) {
      // Act: every order, each event delivered twice
      const state = replay([...order, ...order]);

      // Assess
      expect(planOf(state)).toBe(plan);
    }
  });

  it('a re-read of Stripe (a tie, reconcile) maps exactly as the payload does', () => {
    // Prepare
    const learned = replay([eventOf(subscriptionOn(P_KEYED), T0)]);
    const keyless = normaliseSubscription(subscriptionOn(P_KEYLESS));

    // Act
    const reread = withStripeSubscriptions(learned, [keyless], catalog, { id: 'reconcile', created: T0 + 99 });
    const byEvent = replay([eventOf(subscriptionOn(P_KEYLESS), T0 + 99)], learned);

    // Assess
    expect(planOf(reread)).toBe('starter');
    expect(resolvedSubscriptions(reread, catalog)).toEqual(
      resolvedSubscriptions(byEvent, catalog).map((s) => ({ ...s, eventId: 'reconcile' })),
    );
  });
});
