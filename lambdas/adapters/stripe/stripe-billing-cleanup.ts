import type Stripe from 'stripe';
import type { SubscriptionToEnd } from '../../domain/account-deletion';
import { dependencyError } from '../../domain/errors';
import type { BillingCleanup } from '../../ports/account-ports';

/** Subscription statuses Stripe refuses to cancel again. */
const ENDED = new Set(['canceled', 'incomplete_expired']);

/**
 * The Stripe side of an account deletion (https://docs.stripe.com/api/subscriptions/cancel,
 * https://docs.stripe.com/api/customers/delete). Every call tolerates the state a previous attempt left: a
 * deleted customer has nothing left to do, an already canceled subscription is done.
 */
export class StripeBillingCleanup implements BillingCleanup {
  constructor(private readonly stripe: Stripe) {}

  async subscriptions(customerId: string): Promise<SubscriptionToEnd[]> {
    if (!(await this.liveCustomer(customerId))) return [];
    try {
      const found: SubscriptionToEnd[] = [];
      for await (const subscription of this.stripe.subscriptions.list({
        customer: customerId,
        status: 'all',
        limit: 100,
      })) {
        found.push({
          id: subscription.id,
          status: subscription.status,
          cancelAtPeriodEnd: subscription.cancel_at_period_end,
        });
      }
      return found;
    } catch (error) {
      throw dependencyError('stripe', 'subscription list', error);
    }
  }

  async cancelNow(subscriptionId: string): Promise<void> {
    try {
      await this.stripe.subscriptions.cancel(subscriptionId);
    } catch (error) {
      // Canceled meanwhile (by the customer's deletion, or a previous attempt whose answer was lost): done.
      if (await this.ended(subscriptionId)) return;
      throw dependencyError('stripe', 'subscription cancel', error);
    }
  }

  async cancelAtPeriodEnd(subscriptionId: string): Promise<void> {
    try {
      await this.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    } catch (error) {
      if (await this.ended(subscriptionId)) return;
      throw dependencyError('stripe', 'subscription cancel at period end', error);
    }
  }

  async deleteCustomer(customerId: string): Promise<void> {
    if (!(await this.liveCustomer(customerId))) return;
    try {
      await this.stripe.customers.del(customerId);
    } catch (error) {
      if (!(await this.liveCustomer(customerId))) return;
      throw dependencyError('stripe', 'customer delete', error);
    }
  }

  async anonymiseCustomer(customerId: string, deletedAt: Date): Promise<void> {
    if (!(await this.liveCustomer(customerId))) return;
    try {
      // An empty string unsets a field (https://docs.stripe.com/api/customers/update); the invoices keep what
      // they were issued with, as accounting needs.
      await this.stripe.customers.update(customerId, {
        email: '',
        name: '',
        phone: '',
        description: '',
        metadata: { cognito_sub: '', account_deleted_at: deletedAt.toISOString() },
      });
    } catch (error) {
      throw dependencyError('stripe', 'customer anonymise', error);
    }
  }

  /** False when Stripe answers the customer as deleted, or does not know it. */
  private async liveCustomer(customerId: string): Promise<boolean> {
    try {
      const customer = await this.stripe.customers.retrieve(customerId);
      return !('deleted' in customer && customer.deleted);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw dependencyError('stripe', 'customer retrieve', error);
    }
  }

  private async ended(subscriptionId: string): Promise<boolean> {
    try {
      return ENDED.has((await this.stripe.subscriptions.retrieve(subscriptionId)).status);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return true;
      throw dependencyError('stripe', 'subscription retrieve', error);
    }
  }
}
