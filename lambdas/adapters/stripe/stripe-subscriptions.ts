import type Stripe from 'stripe';
import { dependencyError } from '../../domain/errors';
import type { ChargeRead } from '../../domain/payment-facts';
import type { StripeCustomerRef } from '../../ports/app-ports';
import type { SubscriptionSource } from '../../ports/webhook-ports';
import { StripeCustomerGateway } from './stripe-customers';

/** The Stripe reads of the webhook. Pass a client built with a short timeout: each call is time-boxed. */
export class StripeSubscriptionSource implements SubscriptionSource {
  /**
   * Takes a client, or a factory called on each use (most deliveries never call Stripe). The factory (runtime.stripe)
   * caches the client and the secret itself; asking it each time means a failed setup (a secret read) is tried
   * again by the next call instead of failing every delivery for the life of the container.
   */
  constructor(private readonly stripe: Stripe | (() => Promise<Stripe>)) {}

  private async sdk(): Promise<Stripe> {
    return typeof this.stripe === 'function' ? this.stripe() : this.stripe;
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

  async readCharge(chargeId: string): Promise<Omit<ChargeRead, 'readAt'> | undefined> {
    try {
      const stripe = await this.sdk();
      const charge = await stripe.charges.retrieve(chargeId);
      const paymentIntent = idOf(charge.payment_intent);
      // Since 2025-03-31 a charge no longer names its invoice: the invoice payment of its PaymentIntent does.
      const payments = paymentIntent
        ? await stripe.invoicePayments.list({
            payment: { type: 'payment_intent', payment_intent: paymentIntent },
            limit: 1,
            expand: ['data.invoice'],
          })
        : undefined;
      const invoice = payments?.data[0]?.invoice;
      const paid = typeof invoice === 'object' && invoice !== null && !('deleted' in invoice) ? invoice : undefined;
      return {
        chargeId: charge.id,
        customerId: idOf(charge.customer) ?? null,
        amount: charge.amount,
        amountRefunded: charge.amount_refunded,
        invoice: paid
          ? {
              id: paid.id,
              subscriptionId: idOf(paid.parent?.subscription_details?.subscription) ?? null,
              amountPaid: paid.amount_paid,
              paidAt: paid.status_transitions?.paid_at ?? null,
            }
          : null,
      };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw dependencyError('stripe', 'charge read', error);
    }
  }
}

/** The id of an expandable field (an id or an object), undefined when absent. */
function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}
