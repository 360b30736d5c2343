import { describe, expect, it } from 'vitest';
import { customerStateOf, transition, withStripeSubscriptions } from '../../../lambdas/domain/event-ordering';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { normaliseEvent, normaliseSubscription } from '../../../lambdas/domain/stripe-events';
import { stripeEvent, subscriptionObject } from '../../fixtures/stripe/builders';

/** A Stripe listing read at `created`, merged later (reconcile, issue 15 item 7): it never undoes a newer event. */
describe('withStripeSubscriptions over a listing read earlier', () => {
  const catalog = PlanCatalog.defaults();
  const T = 1767225600;
  const stateAfter = (status: string, created: number) => {
    const raw = stripeEvent('customer.subscription.updated', subscriptionObject({ id: 'sub_a', status }), { created });
    const step = transition(customerStateOf(undefined), normaliseEvent(raw as never), catalog);
    if (step.kind !== 'applied') throw new Error(`fixture: ${step.kind}`);
    return step.state;
  };
  const listingActive = [normaliseSubscription(subscriptionObject({ id: 'sub_a', status: 'active' }))];

  it.each([
    { event: 'canceled at read + 5 s (landed during the run)', created: T + 5, keepNewer: true, expected: 'canceled' },
    {
      event: 'canceled at read + 5 s, without keepNewer (a tie re-read: fresh)',
      created: T + 5,
      keepNewer: false,
      expected: 'active',
    },
    { event: 'canceled in the read second (older than the listing)', created: T, keepNewer: true, expected: 'active' },
    { event: 'canceled before the read', created: T - 60, keepNewer: true, expected: 'active' },
  ])('$event -> $expected', ({ created, keepNewer, expected }) => {
    const merged = withStripeSubscriptions(
      stateAfter('canceled', created),
      listingActive,
      catalog,
      { id: 'reconcile', created: T },
      { keepNewer },
    );
    expect(merged.subscriptions.sub_a?.status).toBe(expected);
  });
});
