import { applyStripeEvent, type StripeEventDeps } from './apply-stripe-event';
import { type ParkedRetryResult, retryParked } from './parked-retry';

export type { ParkedRetryResult } from './parked-retry';

/**
 * Re-applies the events parked for one Stripe customer, removing each that now resolves to a user. Called when the
 * link appears: checkout completion (with the session's user as `knownSub`), profile creation, and reconcile.
 */
export async function retryParkedEventsForCustomer(
  deps: StripeEventDeps,
  stripeCustomerId: string,
  options: { knownSub?: string } = {},
): Promise<ParkedRetryResult> {
  const parked = await deps.parked.listByCustomer(stripeCustomerId);
  return retryParked(deps.parked, parked, (...args) => applyStripeEvent(deps, ...args), {
    knownSub: options.knownSub,
    readEvent: deps.readEvent,
  });
}

/**
 * Re-applies every parked event (reconcile's sweep, scheduled): unresolved ones once their user can be resolved,
 * unfit ones once the deployed schema (`deps.readEvent`) can read them.
 */
export async function retryAllParkedEvents(deps: StripeEventDeps): Promise<ParkedRetryResult> {
  const parked = await deps.parked.listAll();
  return retryParked(deps.parked, parked, (...args) => applyStripeEvent(deps, ...args), { readEvent: deps.readEvent });
}
