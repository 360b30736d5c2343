import type Stripe from 'stripe';
import { dependencyError } from '../../domain/errors';
import type { CustomerGateway, StripeCustomerRef } from '../../ports/app-ports';

/** Stripe customers, one per Cognito sub (`metadata.cognito_sub`). */
export class StripeCustomerGateway implements CustomerGateway {
  constructor(private readonly stripe: Stripe) {}

  async createForUser(user: { sub: string; email: string; name?: string }): Promise<StripeCustomerRef> {
    try {
      const customer = await this.stripe.customers.create(
        { email: user.email, ...(user.name ? { name: user.name } : {}), metadata: { cognito_sub: user.sub } },
        // Same key on every retry: Stripe answers with the customer it already created (keys live 24 h;
        // past that, the stored profile link is what prevents a second customer).
        { idempotencyKey: `customer-for-${user.sub}` },
      );
      return toRef(customer);
    } catch (error) {
      throw dependencyError('stripe', 'customer create', error);
    }
  }

  async retrieve(customerId: string): Promise<StripeCustomerRef | undefined> {
    try {
      const customer = await this.stripe.customers.retrieve(customerId);
      return toRef(customer);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw dependencyError('stripe', 'customer retrieve', error);
    }
  }
}

function toRef(customer: Stripe.Customer | Stripe.DeletedCustomer): StripeCustomerRef {
  if ('deleted' in customer && customer.deleted) return { id: customer.id, metadata: {}, deleted: true };
  const live = customer as Stripe.Customer;
  return { id: live.id, email: live.email, metadata: { ...(live.metadata ?? {}) } };
}
