import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entitlementOf, SUBSCRIPTION_STATUSES } from '../../../../lambdas/domain/entitlement';
import { type NormalisedEvent, normaliseEvent, parseEventEnvelope } from '../../../../lambdas/domain/stripe-events';
import { applyStripeEvent } from '../../../../lambdas/use-cases/webhook/apply-stripe-event';
import {
  chargeObject,
  disputeObject,
  invoiceObject,
  stripeEvent,
  subscriptionObject,
} from '../../../fixtures/stripe/builders';
import { memoryDeps, NOW } from '../../../support/webhook-memory';

/**
 * Guarantee 3: any permutation with duplicates of a customer's events ends in the same entitlement and groups as
 * in-order delivery. Stripe's truth (what a tie re-reads) is each subscription's state after its last event.
 */

const T0 = Math.floor(NOW.getTime() / 1000) - 5 * 86400;
const PLANS = ['starter_monthly', 'pro_monthly', 'business_yearly', 'unknown_price'] as const;

const stepArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('subscription' as const),
      sub: fc.constantFrom('sub_a', 'sub_b'),
      status: fc.constantFrom(...SUBSCRIPTION_STATUSES),
      plan: fc.constantFrom(...PLANS),
      cancel: fc.boolean(),
      gap: fc.nat(2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'paid' as const,
        'refund' as const,
        'dispute-open' as const,
        'dispute-won' as const,
        'dispute-lost' as const,
      ),
      gap: fc.nat(2),
    }),
  },
);

type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

function buildHistory(steps: Step[]) {
  let created = T0;
  const truth = new Map<string, Record<string, unknown>>();
  const events = steps.map((step, index) => {
    created += step.gap; // gap 0: same-second tie
    const id = `evt_${index}`;
    switch (step.kind) {
      case 'subscription': {
        const object = subscriptionObject({
          id: step.sub,
          status: step.status,
          lookupKey: step.plan,
          cancelAtPeriodEnd: step.cancel,
          periodStart: T0,
          trialEnd: step.status === 'trialing' ? T0 + 14 * 86400 : null,
        });
        truth.set(step.sub, object);
        return stripeEvent('customer.subscription.updated', object, { id, created });
      }
      case 'paid':
        return stripeEvent('invoice.paid', invoiceObject(), { id, created });
      case 'refund':
        return stripeEvent('charge.refunded', chargeObject(), { id, created });
      case 'dispute-open':
        return stripeEvent('charge.dispute.created', disputeObject(), { id, created });
      default:
        return stripeEvent(
          'charge.dispute.closed',
          disputeObject({ status: step.kind === 'dispute-won' ? 'won' : 'lost' }),
          { id, created },
        );
    }
  });
  return { events, truth: [...truth.values()] };
}

async function deliver(events: Record<string, unknown>[], truth: Record<string, unknown>[]) {
  const memory = memoryDeps();
  memory.profiles.add('sub-user-1', 'cus_base');
  memory.stripe.subscriptions.set('cus_base', truth);
  memory.stripe.charges.set('ch_base', 'cus_base');
  for (const raw of events) {
    const envelope = parseEventEnvelope(raw);
    const event = normaliseEvent(envelope as typeof envelope & { type: NormalisedEvent['type'] });
    await applyStripeEvent(memory.deps, event, JSON.stringify(raw));
  }
  const record = memory.entitlements.items.get('sub-user-1');
  return {
    entitlement: record ? entitlementOf(record) : undefined,
    groups: memory.groups.groupsOf('user-sub-user-1'),
  };
}

/** A history plus a delivery: a permutation of its events with some delivered twice or more. */
const scenarioArb = fc.array(stepArb, { minLength: 1, maxLength: 10 }).chain((steps) =>
  fc.record({
    steps: fc.constant(steps),
    order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
      minLength: steps.length * 2,
      maxLength: steps.length * 2,
    }),
    duplicates: fc.array(fc.nat(steps.length - 1), { maxLength: steps.length }),
  }),
);

describe('delivery order property (fast-check)', () => {
  it('any permutation with duplicates ends in the same entitlement and groups as in-order delivery', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ steps, order, duplicates }) => {
        // Prepare
        const { events, truth } = buildHistory(steps);
        const deliveries = [...events, ...duplicates.map((i) => events[i] as Record<string, unknown>)];
        const shuffled = deliveries
          .map((event, i) => ({ event, key: order[i] ?? i }))
          .sort((a, b) => a.key - b.key)
          .map(({ event }) => event);

        // Act
        const inOrder = await deliver(events, truth);
        const anyOrder = await deliver(shuffled, truth);

        // Assess
        expect(anyOrder).toEqual(inOrder);
      }),
      { numRuns: 200 },
    );
  });
});
