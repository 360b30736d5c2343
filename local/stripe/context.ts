import { noSuch } from './errors';
import type { EmulatorSettings } from './settings';
import { newId, type StripeObject, type StripeStore } from './store';
import type {
  Charge,
  Customer,
  EventListener,
  Invoice,
  PaymentIntent,
  Price,
  StripeEvent,
  Subscription,
} from './types';

/**
 * What every resource module works with: the store, the clock, typed lookups that fail like Stripe
 * (`resource_missing`) and the event log. Synchronous on purpose: each API request runs to completion before the
 * next, so concurrent requests cannot interleave half-applied changes.
 */
export class Billing {
  private listeners: EventListener[] = [];

  constructor(
    readonly store: StripeStore,
    private readonly options: { apiVersion: string; apiBase: () => string },
  ) {}

  now(): number {
    return this.store.now();
  }

  apiBase(): string {
    return this.options.apiBase();
  }

  get settings(): EmulatorSettings {
    return this.store.raw.settings;
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Records an event and hands it to the listeners (webhook delivery). The payload is a copy of the object as it is
   * now; `created` never goes backwards, like Stripe's, and has 1 s resolution (ties are common).
   */
  emit(
    type: string,
    object: StripeObject,
    customerId: string | undefined | null,
    options: { at?: number; previous?: Record<string, unknown> } = {},
  ): StripeEvent {
    const state = this.store.raw;
    const created = Math.max(options.at ?? this.now(), state.lastEventCreated);
    state.lastEventCreated = created;
    const previous = options.previous && Object.keys(options.previous).length ? options.previous : undefined;
    const event: StripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: this.options.apiVersion,
      created,
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    this.store.put(event);
    for (const listener of this.listeners) listener(event, customerId ?? undefined);
    return event;
  }

  customer(id: string, param?: string): Customer {
    return this.found<Customer>(id, 'customer', param);
  }

  /** A customer that exists and is not deleted: Stripe answers a deleted one like a missing one. */
  liveCustomer(id: string, param?: string): Customer {
    const found = this.customer(id, param);
    if (found.deleted) throw noSuch('customer', id, param);
    return found;
  }

  price(id: string, param?: string): Price {
    return this.found<Price>(id, 'price', param);
  }

  subscription(id: string, param?: string): Subscription {
    return this.found<Subscription>(id, 'subscription', param);
  }

  invoice(id: string, param?: string): Invoice {
    return this.found<Invoice>(id, 'invoice', param);
  }

  charge(id: string, param?: string): Charge {
    return this.found<Charge>(id, 'charge', param);
  }

  paymentIntent(id: string, param?: string): PaymentIntent {
    return this.found<PaymentIntent>(id, 'payment_intent', param);
  }

  found<T extends StripeObject>(id: string, object: string, param?: string): T {
    const value = this.store.get<T>(id, object);
    if (!value) throw noSuch(object, id, param);
    return value;
  }
}

/** Top-level keys whose value changed, with their old values (Stripe's `previous_attributes`). */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key] ?? null;
  }
  return previous;
}

/**
 * Applies `change` to a copy of the object and, if it did not throw, commits it and emits `<type>` with
 * previous_attributes when anything changed: a refused update (bad parameter) leaves the object as it was.
 */
export function updateAndEmit<T extends StripeObject>(
  billing: Billing,
  type: string,
  object: T,
  customerId: string | null | undefined,
  change: (value: T) => void,
  at?: number,
): Record<string, unknown> {
  const draft = structuredClone(object);
  change(draft);
  const previous = diff(object, draft);
  for (const key of Object.keys(object)) if (!(key in draft)) delete object[key];
  Object.assign(object, draft);
  if (Object.keys(previous).length) billing.emit(type, object, customerId, { previous, at });
  return previous;
}
