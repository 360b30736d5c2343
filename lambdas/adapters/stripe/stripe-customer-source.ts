import type Stripe from 'stripe';
import { dependencyError } from '../../domain/errors';
import { type BackoffOptions, withBackoff } from '../backoff';

/** A Stripe customer with its subscriptions as reconcile reads them (raw subscription objects, normalised later). */
export interface ListedCustomer {
  id: string;
  metadata: Record<string, string>;
  email: string | null;
  /** Epoch seconds. */
  created: number;
  subscriptions: unknown[];
  /** True when `subscriptions` holds every status (a `status: 'all'` list), false for the live ones only. */
  complete: boolean;
}

const PAGE = 100;

/**
 * Stripe reads for reconcile, list APIs only: never the Search API (it lags up to an hour) and never one call per
 * user when a list will do. `customers.list` with `expand: ['data.subscriptions']` returns 100 customers with their
 * live subscriptions per call, so a run costs customers/100 calls plus one per customer with more than the
 * embedded page of subscriptions. Each page is retried with backoff on 429.
 */
export class StripeCustomerSource {
  constructor(
    private readonly stripe: Stripe,
    private readonly backoff: BackoffOptions = {},
  ) {}

  /** Every customer of the account with its live subscriptions, page by page. */
  async *customers(): AsyncGenerator<ListedCustomer> {
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call('customer list', () =>
        this.stripe.customers.list({
          limit: PAGE,
          expand: ['data.subscriptions'],
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      for (const customer of page.data) yield await this.withAllLiveSubscriptions(customer);
      const last = page.data.at(-1);
      if (!page.has_more || !last) return;
      startingAfter = last.id;
    }
  }

  /** Customers with this exact email (Stripe's filter is exact and case-sensitive), with live subscriptions. */
  async customersByEmail(email: string): Promise<ListedCustomer[]> {
    const found: ListedCustomer[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call('customer list by email', () =>
        this.stripe.customers.list({
          email,
          limit: PAGE,
          expand: ['data.subscriptions'],
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      for (const customer of page.data) found.push(await this.withAllLiveSubscriptions(customer));
      const last = page.data.at(-1);
      if (!page.has_more || !last) return found;
      startingAfter = last.id;
    }
  }

  /** One customer with its live subscriptions; undefined when it does not exist or was deleted. */
  async customer(customerId: string): Promise<ListedCustomer | undefined> {
    let customer: Stripe.Customer | Stripe.DeletedCustomer;
    try {
      customer = await withBackoff(
        () => this.stripe.customers.retrieve(customerId, { expand: ['subscriptions'] }),
        this.backoff,
      );
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw dependencyError('stripe', 'customer retrieve', error);
    }
    if ('deleted' in customer && customer.deleted) return undefined;
    return this.withAllLiveSubscriptions(customer as Stripe.Customer);
  }

  /** Every subscription of a customer, any status (canceled included): the whole truth for one customer. */
  async allSubscriptions(customerId: string): Promise<unknown[]> {
    return this.subscriptionPages(customerId, 'all');
  }

  private async withAllLiveSubscriptions(customer: Stripe.Customer): Promise<ListedCustomer> {
    const embedded = customer.subscriptions;
    const subscriptions: unknown[] = embedded?.has_more
      ? await this.subscriptionPages(customer.id, undefined)
      : [...(embedded?.data ?? [])];
    return {
      id: customer.id,
      metadata: { ...(customer.metadata ?? {}) },
      email: customer.email ?? null,
      created: customer.created,
      subscriptions,
      complete: false,
    };
  }

  private async subscriptionPages(customerId: string, status: 'all' | undefined): Promise<unknown[]> {
    const subscriptions: unknown[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call('subscription list', () =>
        this.stripe.subscriptions.list({
          customer: customerId,
          limit: PAGE,
          ...(status ? { status } : {}),
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      subscriptions.push(...page.data);
      const last = page.data.at(-1);
      if (!page.has_more || !last) return subscriptions;
      startingAfter = last.id;
    }
  }

  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await withBackoff(operation, this.backoff);
    } catch (error) {
      throw dependencyError('stripe', what, error);
    }
  }
}
