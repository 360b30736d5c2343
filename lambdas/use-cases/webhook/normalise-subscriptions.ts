import { DependencyUnavailableError } from '../../domain/errors';
import {
  InvalidStripeEventError,
  type NormalisedSubscription,
  normaliseSubscription,
} from '../../domain/stripe-events';

/**
 * Validates and normalises Stripe subscription objects; an invalid one is a Stripe contract break: throw.
 * The lists are read from Stripe's API, not taken from a delivery: a bad one must not pass for a malformed event.
 */
export function normaliseSubscriptions(subscriptions: readonly unknown[]): NormalisedSubscription[] {
  return subscriptions.map((subscription) => {
    try {
      return normaliseSubscription(subscription);
    } catch (error) {
      if (error instanceof InvalidStripeEventError) {
        throw new DependencyUnavailableError('stripe', `unexpected subscription shape from Stripe: ${error.message}`);
      }
      throw error;
    }
  });
}
