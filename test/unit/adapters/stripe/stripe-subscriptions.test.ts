import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripeSubscriptionSource } from '../../../../lambdas/adapters/stripe/stripe-subscriptions';
import { DependencyUnavailableError } from '../../../../lambdas/domain/errors';

/** A Stripe client whose subscription list yields the given subscriptions (auto-pagination is an async iterable). */
function clientListing(subscriptions: { id: string }[]): Stripe {
  return {
    subscriptions: {
      list: () => ({
        async *[Symbol.asyncIterator]() {
          yield* subscriptions;
        },
      }),
    },
  } as unknown as Stripe;
}

describe('StripeSubscriptionSource', () => {
  it('a failed client setup (a secret read) fails that call only: the next call asks the factory again', async () => {
    // Prepare: the factory fails once (Secrets Manager throttled), then builds the client
    let calls = 0;
    const source = new StripeSubscriptionSource(async () => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return clientListing([{ id: 'sub_1' }]);
    });

    // Act
    const first = await source.listForCustomer('cus_1').catch((error: unknown) => error);
    const second = await source.listForCustomer('cus_1');

    // Assess
    expect(first).toBeInstanceOf(DependencyUnavailableError);
    expect(second).toEqual([{ id: 'sub_1' }]);
    expect(calls).toBe(2);
  });
});
