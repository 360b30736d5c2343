import { transition, withStripeSubscriptions } from '../lambdas/domain/event-ordering';
import {
  type ApplyStripeEvent,
  type OrderingStep,
  payloadFirst,
  stripeEventApplier,
} from '../lambdas/use-cases/webhook/apply-stripe-event';

/**
 * The benchmark's baseline ("the common approach"): every subscription or invoice event re-reads the customer's
 * subscriptions from Stripe and takes them as the truth, instead of trusting a newer payload. Everything else is the
 * shipped pipeline: the same resolution, write, audit and groups, and the same delivery lifecycle, so a redelivery is
 * still answered from the ledger before any Stripe read (test/integration/bench-smoke.test.ts counts zero reads per
 * duplicate). Benchmark code only: the shipped webhook never uses it.
 */
export const rereadEveryEvent: OrderingStep = async (state, event, catalog, reread) => {
  const { kind } = event.signal;
  if (kind !== 'subscription' && kind !== 'invoice') return payloadFirst(state, event, catalog, reread);
  const step = transition(state, event, catalog);
  const base = step.kind === 'unchanged' ? state : step.state;
  return withStripeSubscriptions(base, await reread(), catalog, event);
};

export const applyRereadingEveryEvent: ApplyStripeEvent = stripeEventApplier(rereadEveryEvent);
