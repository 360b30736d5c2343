import type Stripe from 'stripe';
import { dependencyError } from '../../domain/errors';
import type { StripeCustomerRef } from '../../ports/app-ports';
import type { SubscriptionSource } from '../../ports/webhook-ports';
import { StripeCustomerGateway } from './stripe-customers';

/** The Stripe reads of the webhook. Pass a client built with a short timeout: each call is time-boxed. */
export class StripeSubscriptionSource implements SubscriptionSource {
  private client: Promise<Stripe> | undefined;

  /** Takes a client, or a factory called on first use (most deliveries never call Stripe). */
  constructor(private readonly stripe: Stripe | (() => Promise<Stripe>)) {}

  private async sdk(): Promise<Stripe> {
    this.client ??= typeof this.stripe === 'function' ? this.stripe() : Promise.resolve(this.stripe);
    return this.client;
  }

  async listForCustomer(customerId: string): Promise<unknown[]> {
    try {
      const stripe = await this.sdk();
      const subscriptions: Stripe.Subscription[] = [];
      // status 'all' includes canceled ones, so a re-read can also end a subscription. Prices are used as listed,
      // naming their product by id exactly as webhook payloads do, so a re-read maps plans the way an event does.
      for await (const subscription of stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 })) {
        subscriptions.push(subscription);
      }
      return subscriptions;
    } catch (error) {
      throw dependencyError('stripe', 'subscription list', error);
    }
  }

  async retrieveCustomer(customerId: string): Promise<StripeCustomerRef | undefined> {
    return new StripeCustomerGateway(await this.sdk()).retrieve(customerId);
  }

  async customerOfCharge(chargeId: string): Promise<string | undefined> {
    try {
      const charge = await (await this.sdk()).charges.retrieve(chargeId);
      const customer = charge.customer;
      if (!customer) return undefined;
      return typeof customer === 'string' ? customer : customer.id;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw dependencyError('stripe', 'charge retrieve', error);
    }
  }
}
