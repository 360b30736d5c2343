import { type CheckoutPayment, completeCheckout, expireCheckout } from './checkout';
import { advanceClock, processDue } from './clock';
import { Billing, diff, updateAndEmit } from './context';
import { createCustomer, deleteCustomer, type NewCustomer, updateCustomer } from './customers';
import { invalidParameter } from './errors';
import { completePaymentCheckout } from './payment-checkout';
import { addInterval } from './periods';
import { createPortalSession, saveDefaultConfiguration } from './portal';
import { type EmulatorSettings, mergeSettings } from './settings';
import type { StripeObject, StripeStore } from './store';
import { cancelSubscription, createSubscription, type NewSubscription } from './subscriptions';
import type { Customer, EventListener, PaymentIntent, StripeEvent, Subscription } from './types';

export type { NewSubscription } from './subscriptions';
export type { Customer, EventListener, Price, StripeEvent, Subscription, SubscriptionItem } from './types';
export { addInterval, diff };

/**
 * The emulator's billing model as one object, for the server, the control API and in-process callers (tests, bench,
 * demo). Each method delegates to the resource module that owns the behaviour (customers, subscriptions, checkout,
 * portal, clock, ...); see those modules for the Stripe documentation each follows.
 */
export class StripeEngine {
  readonly billing: Billing;

  constructor(
    readonly store: StripeStore,
    options: { apiVersion: string; apiBase: () => string },
  ) {
    this.billing = new Billing(store, options);
  }

  onEvent(listener: EventListener): () => void {
    return this.billing.onEvent(listener);
  }

  now(): number {
    return this.billing.now();
  }

  customer(id: string, param?: string): Customer {
    return this.billing.customer(id, param);
  }

  liveCustomer(id: string, param?: string): Customer {
    return this.billing.liveCustomer(id, param);
  }

  subscription(id: string): Subscription {
    return this.billing.subscription(id);
  }

  emit(
    type: string,
    object: StripeObject,
    customerId: string | undefined,
    options: { at?: number; previous?: Record<string, unknown> } = {},
  ): StripeEvent {
    return this.billing.emit(type, object, customerId, options);
  }

  createCustomer(fields: NewCustomer): Customer {
    return createCustomer(this.billing, fields);
  }

  updateCustomer(id: string, change: (customer: Customer) => void): Customer {
    return updateCustomer(this.billing, id, change);
  }

  deleteCustomer(id: string): StripeObject {
    return deleteCustomer(this.billing, id);
  }

  createSubscription(input: Omit<NewSubscription, 'announce'> & { announce?: NewSubscription['announce'] }) {
    return createSubscription(this.billing, { announce: 'final', ...input });
  }

  updateSubscription(id: string, change: (subscription: Subscription) => void, at?: number): Subscription {
    const subscription = this.billing.subscription(id);
    updateAndEmit(this.billing, 'customer.subscription.updated', subscription, subscription.customer, change, at);
    return subscription;
  }

  cancelSubscription(id: string, at?: number): Subscription {
    return cancelSubscription(this.billing, this.billing.subscription(id), { at });
  }

  completeCheckout(id: string, payment?: CheckoutPayment): { session: StripeObject; subscription: Subscription } {
    return completeCheckout(this.billing, id, payment);
  }

  completePaymentCheckout(
    id: string,
    payment?: CheckoutPayment,
  ): { session: StripeObject; paymentIntent: PaymentIntent } {
    return completePaymentCheckout(this.billing, id, payment);
  }

  expireCheckout(id: string): StripeObject {
    return expireCheckout(this.billing, id);
  }

  createPortalSession(customer: string, returnUrl: string | null, locale: string | null): StripeObject {
    return createPortalSession(this.billing, { customer, returnUrl, locale });
  }

  /** What saving the portal settings in the Dashboard does: the default portal configuration. */
  saveDefaultPortalConfiguration(): StripeObject {
    return saveDefaultConfiguration(this.billing);
  }

  /**
   * The customer's next `count` payment attempts are declined (`card_declined`), whatever the card: the emulator's
   * stand-in for swapping in test card 4000000000000341. `count: 0` clears it, so the next payment succeeds.
   */
  failNextPayment(customer: string, count = 1): void {
    this.billing.liveCustomer(customer, 'customer');
    if (!Number.isInteger(count) || count < 0) throw invalidParameter('count', 'count must be an integer >= 0');
    if (count === 0) delete this.store.raw.failNext[customer];
    else this.store.raw.failNext[customer] = (this.store.raw.failNext[customer] ?? 0) + count;
  }

  configure(change: Partial<EmulatorSettings>): EmulatorSettings {
    this.store.raw.settings = mergeSettings(this.store.raw.settings, change);
    return this.store.raw.settings;
  }

  /** Moves the clock forward and plays every renewal, trial end, payment and cancellation that falls due. */
  advance(seconds: number): StripeEvent[] {
    return advanceClock(this.billing, seconds);
  }

  processDue(): StripeEvent[] {
    return processDue(this.billing);
  }
}
