import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  type HandledEventType,
  isHandledEventType,
  normaliseEvent,
  parseEventEnvelope,
} from '../../../../lambdas/domain/stripe-events';
import {
  type StripeEmulator,
  type StripeEmulatorOptions,
  startStripeEmulator,
} from '../../../../local/stripe/emulator';
import { defaultSettings } from '../../../../local/stripe/settings';
import type { StripeEvent } from '../../../../local/stripe/types';

/**
 * Shared by the emulator's fidelity tests: one emulator per file (in-memory, no webhook endpoint unless a test sets
 * one), default account settings restored before each test, and helpers that read a customer's events in creation
 * order and run them through the product's own event parser (what the webhook reads must be there).
 */
export function useEmulator(options: StripeEmulatorOptions = {}) {
  let emulator: StripeEmulator | undefined;
  beforeAll(async () => {
    emulator = await startStripeEmulator({ webhookBackoffMs: () => 1, ...options });
  });
  beforeEach(() => {
    emulator?.configure(defaultSettings());
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error('emulator not started');
    return emulator;
  };
}

/** Events of one customer (objects naming it, or the customer itself), oldest first, from `since` on. */
export function eventsOf(emulator: StripeEmulator, customer: string, since = 0): StripeEvent[] {
  return mine(emulator.events().slice(since), customer);
}

/** The events of one customer among `events` (what an advance played for everyone). */
export function mine(events: StripeEvent[], customer: string): StripeEvent[] {
  return events.filter((e) => {
    const object = e.data.object as { customer?: unknown; id?: string; object?: string };
    return object.customer === customer || (object.object === 'customer' && object.id === customer);
  });
}

/** An event's object typed as the SDK's type (the emulator's payloads are plain JSON). */
export const objectOf = <T>(event: StripeEvent | undefined): T => event?.data.object as unknown as T;

export const types = (events: StripeEvent[]) => events.map((e) => e.type);

/** `[type, status]` per event, for subscription / invoice / charge / dispute / payment intent payloads. */
export const statuses = (events: StripeEvent[]) =>
  events.map((e) => [e.type, (e.data.object as { status?: string }).status ?? null] as const);

/** Every handled event parses with the product's own schemas; returns the normalised signals. */
export function productReads(events: StripeEvent[]) {
  return events
    .filter((e) => isHandledEventType(e.type))
    .map((e) =>
      normaliseEvent(
        parseEventEnvelope(JSON.parse(JSON.stringify(e))) as never as Parameters<typeof normaliseEvent>[0] & {
          type: HandledEventType;
        },
      ),
    );
}

export async function customerWithCard(stripe: Stripe, token = 'pm_card_visa', metadata: Record<string, string> = {}) {
  const customer = await stripe.customers.create({
    email: `c-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`,
    metadata: { cognito_sub: `sub-${Math.random().toString(36).slice(2)}`, ...metadata },
    payment_method: token,
    invoice_settings: { default_payment_method: token },
  });
  return customer;
}

export async function priceOf(stripe: Stripe, lookupKey = 'pro_monthly'): Promise<Stripe.Price> {
  const price = (await stripe.prices.list({ lookup_keys: [lookupKey] })).data[0];
  if (!price) throw new Error(`${lookupKey} not seeded`);
  return price;
}

/** A checkout session as the product creates it (subscription mode, the customer's sub in metadata). */
export async function checkoutSession(
  stripe: Stripe,
  customer: Stripe.Customer,
  options: {
    trialDays?: number;
    lookupKey?: string;
    collection?: 'always' | 'if_required';
    missing?: 'cancel' | 'pause' | 'create_invoice';
  } = {},
) {
  const sub = customer.metadata.cognito_sub ?? 'sub';
  return stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    client_reference_id: sub,
    line_items: [{ price: (await priceOf(stripe, options.lookupKey)).id, quantity: 1 }],
    success_url: 'http://localhost:5173/done',
    cancel_url: 'http://localhost:5173/cancel',
    metadata: { cognito_sub: sub },
    ...(options.collection ? { payment_method_collection: options.collection } : {}),
    subscription_data: {
      metadata: { cognito_sub: sub },
      ...(options.trialDays ? { trial_period_days: options.trialDays } : {}),
      ...(options.missing ? { trial_settings: { end_behavior: { missing_payment_method: options.missing } } } : {}),
    },
  });
}

/** Advances the emulator clock to `at` (epoch seconds) and returns the events it played. */
export function advanceTo(emulator: StripeEmulator, at: number): StripeEvent[] {
  return emulator.advance(Math.max(0, at - emulator.now()));
}

export function periodEnd(subscription: { items: { data: { current_period_end: number }[] } }): number {
  const end = subscription.items.data[0]?.current_period_end;
  if (end === undefined) throw new Error('subscription without items');
  return end;
}
