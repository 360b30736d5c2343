import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Stripe from 'stripe';
import { CognitoGroupGateway } from '../lambdas/adapters/cognito/cognito-groups';
import { DynamoEntitlementStore } from '../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../lambdas/adapters/dynamo/profile-store';
import { StripeCustomerGateway } from '../lambdas/adapters/stripe/stripe-customers';
import type { PlanCatalog } from '../lambdas/domain/plan-catalog';
import type { PlanId } from '../lambdas/domain/plan-catalog-schema';
import { isHandledEventType } from '../lambdas/domain/stripe-events';
import { type Clock, systemClock } from '../lambdas/ports/app-ports';
import { provisionUser } from '../lambdas/use-cases/identity/provision-user';
import { createVerifiedUser } from '../local/cognito-users';
import type { StripeEmulator } from '../local/stripe/emulator';
import type { StripeEvent } from '../local/stripe/engine';
import type { TableNames } from '../local/tables';
import { webhookRequest } from '../local/webhook-request';

/**
 * The benchmark (and load-test) workload: real users and a realistic Stripe lifecycle produced by the local Stripe
 * emulator, then a delivery schedule with duplicates and out-of-order swaps, signed like Stripe signs them.
 * Deterministic for a seed (ids aside), so two handler modes can be fed the very same deliveries.
 */

/** Small seeded PRNG (mulberry32): the same seed gives the same lifecycle and schedule. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

export interface WorkloadUser {
  sub: string;
  username: string;
  email: string;
  customerId: string;
}

export interface UserStores {
  ddb: DynamoDBDocumentClient;
  cognito: CognitoIdentityProviderClient;
  userPoolId: string;
  tables: TableNames;
  catalog: PlanCatalog;
  clock?: Clock;
}

/**
 * Cognito users (AdminCreateUser) provisioned like Post-Confirmation does: profile, Stripe customer (in the
 * emulator, `metadata.cognito_sub`), Entitlements record and the `free` group. `concurrency` keeps it quick.
 */
export async function createUsers(
  stores: UserStores,
  stripe: Stripe,
  count: number,
  options: { tag?: string; concurrency?: number } = {},
): Promise<WorkloadUser[]> {
  const tag = options.tag ?? 'bench';
  const users: WorkloadUser[] = new Array(count);
  const customers = new StripeCustomerGateway(stripe);
  await inPool(count, options.concurrency ?? 4, async (i) => {
    const email = `${tag}-${i}@example.com`;
    const { sub, username } = await createVerifiedUser(stores.cognito, stores.userPoolId, email);
    const result = await provisionUser(
      { ...userDeps(stores), customers },
      { sub, username, email, emailVerified: true, identityProvider: 'cognito' },
    );
    if (!result.stripeCustomerId) throw new Error(`no Stripe customer for ${sub}: ${result.customerError?.message}`);
    users[i] = { sub, username, email, customerId: result.stripeCustomerId };
  });
  return users;
}

/**
 * Provisions existing users into another set of tables (a fresh state for a second handler mode): profile linked
 * to the same customer, fresh Entitlements record, groups synced from it. Cognito membership is not reset here.
 */
export async function provisionExisting(stores: UserStores, users: readonly WorkloadUser[], concurrency = 4) {
  const deps = userDeps(stores);
  await inPool(users.length, concurrency, async (i) => {
    const user = users[i] as WorkloadUser;
    await deps.profiles.upsert(
      {
        userId: user.sub,
        cognitoUsername: user.username,
        email: user.email,
        emailVerified: true,
        stripeCustomerId: user.customerId,
        identityProvider: 'cognito',
      },
      deps.clock.now(),
    );
    await provisionUser(deps, {
      sub: user.sub,
      username: user.username,
      email: user.email,
      emailVerified: true,
      identityProvider: 'cognito',
    });
  });
}

function userDeps(stores: UserStores) {
  return {
    profiles: new DynamoProfileStore(stores.ddb, stores.tables.userProfiles),
    entitlements: new DynamoEntitlementStore(stores.ddb, stores.tables.entitlements),
    groups: new CognitoGroupGateway(stores.cognito, stores.userPoolId),
    catalog: stores.catalog,
    clock: stores.clock ?? systemClock,
  };
}

export type Scenario = 'steady' | 'upgrade' | 'cancel' | 'failed-payment' | 'trial';

export interface LifecycleOptions {
  seed: number;
  /** Days simulated after the last sign-up. @default 95 */
  days?: number;
  /** Days over which sign-ups are spread. @default 20 */
  signupDays?: number;
  /** Share of plan changes / cancellations made in the same second as the sign-up (a natural tie). @default 0.1 */
  sameSecondActions?: number;
  mix?: Partial<Record<Scenario, number>>;
}

export interface Lifecycle {
  /** Handled event types only (the endpoint subscribes to those), in creation order. */
  events: StripeEvent[];
  scenarios: Record<Scenario, number>;
  /** Customer of each event id. */
  customerOf: Map<string, string>;
}

const DEFAULT_MIX: Record<Scenario, number> = {
  steady: 0.4,
  upgrade: 0.2,
  cancel: 0.15,
  'failed-payment': 0.15,
  trial: 0.1,
};
const UPGRADE: Partial<Record<PlanId, PlanId>> = { starter: 'pro', pro: 'business', business: 'enterprise' };

interface Action {
  at: number;
  run: () => Promise<unknown> | unknown;
}

/**
 * Drives a realistic lifecycle through the real Stripe SDK against the emulator, with Stripe's documented sequences:
 * sign-ups spread over `signupDays` (a card on file, then a subscription with its invoice and payment events; a
 * trial starts `trialing` with a $0 invoice and `trial_will_end`), then monthly renewals (period change, invoice
 * charged an hour later),
 * upgrades, cancellations at period end, failed renewals (`invoice.payment_failed` + `past_due`, then Stripe's first
 * Smart Retry two days later pays: `active`) and trials that convert. Events come from the emulator, so they are real
 * current-shape Stripe events.
 */
export async function driveLifecycle(
  emulator: StripeEmulator,
  users: readonly WorkloadUser[],
  options: LifecycleOptions,
): Promise<Lifecycle> {
  const random = rng(options.seed);
  const stripe = emulator.client();
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const scenarios: Record<Scenario, number> = { steady: 0, upgrade: 0, cancel: 0, 'failed-payment': 0, trial: 0 };
  const sameSecond = options.sameSecondActions ?? 0.1;
  const firstEvent = emulator.events().length;
  const signupSpan = (options.signupDays ?? 20) * 86400;
  const start = emulator.now();
  const actions: Action[] = [];
  const price = (plan: PlanId) => `price_local_${plan}_monthly`;

  const signupGap = Math.max(1, Math.floor(signupSpan / Math.max(1, users.length)));
  for (const user of users) {
    emulator.advance(between(random, 1, 2 * signupGap));
    const scenario = chooseScenario(random, mix);
    scenarios[scenario] += 1;
    const plan = pick(random, ['starter', 'pro', 'pro', 'business'] as const);
    const subscription = await subscribe(stripe, user, price(plan), plan, scenario === 'trial' ? 14 : undefined);
    const itemId = subscription.items.data[0]?.id;
    const now = emulator.now();
    const immediate = random() < sameSecond;
    const later = now + between(random, 5, 60) * 86400 + between(random, 0, 86399);
    const at = immediate ? now : later;
    if (scenario === 'upgrade') {
      const to = UPGRADE[plan] ?? 'enterprise';
      const change = () =>
        stripe.subscriptions.update(subscription.id, {
          items: [{ id: itemId, price: price(to) }],
          metadata: { plan: to },
          proration_behavior: 'none',
        });
      if (immediate) await change();
      else actions.push({ at, run: change });
    } else if (scenario === 'cancel') {
      const cancel = () => stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
      if (immediate) await cancel();
      else actions.push({ at, run: cancel });
    } else if (scenario === 'failed-payment') {
      // The next renewal after `at` fails (past_due + invoice.payment_failed); Stripe's first retry pays it.
      actions.push({ at: later, run: () => emulator.failNextPayment(user.customerId, 1) });
    }
  }

  actions.sort((a, b) => a.at - b.at);
  for (const action of actions) {
    const wait = action.at - emulator.now();
    if (wait > 0) emulator.advance(wait);
    await action.run();
  }
  const end = start + signupSpan + (options.days ?? 95) * 86400;
  if (end > emulator.now()) emulator.advance(end - emulator.now());
  const events = emulator
    .events()
    .slice(firstEvent)
    .filter((event) => isHandledEventType(event.type));
  return { events, scenarios, customerOf: customerIndex(events) };
}

/**
 * Steady-state renewals (the "no Cognito change" workload): advances the clock and keeps only the customers whose
 * events in that window are plain renewals (no status, plan or cancellation change).
 */
export function renewalsOnly(emulator: StripeEmulator, days: number): StripeEvent[] {
  const first = emulator.events().length;
  emulator.advance(days * 86400);
  const window = emulator
    .events()
    .slice(first)
    .filter((event) => isHandledEventType(event.type));
  const customerOf = customerIndex(window);
  const changed = new Set<string>();
  for (const event of window) {
    const previous = event.data.previous_attributes ?? {};
    const plain =
      event.type === 'invoice.paid' ||
      event.type === 'invoice.payment_succeeded' ||
      (event.type === 'customer.subscription.updated' &&
        !('status' in previous) &&
        !('cancel_at_period_end' in previous) &&
        !('cancel_at' in previous) &&
        !hasPriceChange(event));
    if (!plain) changed.add(customerOf.get(event.id) ?? '');
  }
  return window.filter((event) => !changed.has(customerOf.get(event.id) ?? ''));
}

function hasPriceChange(event: StripeEvent): boolean {
  type Items = { data?: { price?: { id?: string } }[] } | undefined;
  const before = (event.data.previous_attributes?.items as Items)?.data;
  const after = (event.data.object as { items?: Items }).items?.data;
  return before?.some((item, i) => item.price?.id !== undefined && item.price.id !== after?.[i]?.price?.id) ?? false;
}

/**
 * A subscription as a paying customer has it: test card 4242 attached and made the invoice default
 * (https://docs.stripe.com/testing), then `subscriptions.create` (`created` carries `active`, or `trialing` with a $0
 * invoice). Without a card Stripe would leave the subscription `incomplete`.
 */
async function subscribe(
  stripe: Stripe,
  user: WorkloadUser,
  price: string,
  plan: PlanId,
  trialDays: number | undefined,
): Promise<Stripe.Subscription> {
  const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: user.customerId });
  await stripe.customers.update(user.customerId, { invoice_settings: { default_payment_method: card.id } });
  return stripe.subscriptions.create({
    customer: user.customerId,
    items: [{ price }],
    metadata: { cognito_sub: user.sub, plan, interval: 'month' },
    ...(trialDays ? { trial_period_days: trialDays } : {}),
  });
}

function chooseScenario(random: () => number, mix: Record<Scenario, number>): Scenario {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  let roll = random() * total;
  for (const [scenario, weight] of Object.entries(mix) as [Scenario, number][]) {
    roll -= weight;
    if (roll < 0) return scenario;
  }
  return 'steady';
}

function customerIndex(events: readonly StripeEvent[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const event of events) {
    const object = event.data.object as { customer?: unknown; object?: string; id?: string };
    const customer =
      typeof object.customer === 'string' ? object.customer : object.object === 'customer' ? object.id : undefined;
    if (customer) index.set(event.id, customer);
  }
  return index;
}

export interface Delivery {
  event: StripeEvent;
  /** A redelivery of an event delivered earlier. */
  duplicate: boolean;
  /** Delivered before an older event of the same customer. */
  swapped: boolean;
}

export interface ScheduleOptions {
  seed: number;
  /** Share of events delivered twice (the copy arrives 1..50 deliveries later). @default 0.1 */
  duplicates?: number;
  /** Share of events swapped with the customer's next event. @default 0.1 */
  outOfOrder?: number;
}

/** Delivery order: creation order, then swaps within a customer, then redeliveries a little later. */
export function schedule(
  events: readonly StripeEvent[],
  customerOf: Map<string, string>,
  options: ScheduleOptions,
): Delivery[] {
  const random = rng(options.seed);
  const list: Delivery[] = events.map((event) => ({ event, duplicate: false, swapped: false }));
  const swaps = Math.round(events.length * (options.outOfOrder ?? 0.1));
  for (let done = 0, tries = 0; done < swaps && tries < swaps * 20; tries += 1) {
    const i = Math.floor(random() * list.length);
    const first = list[i] as Delivery;
    if (first.swapped) continue;
    const customer = customerOf.get(first.event.id);
    const j = list.findIndex((d, k) => k > i && customerOf.get(d.event.id) === customer);
    const second = list[j];
    if (j < 0 || !second || second.swapped) continue;
    list[i] = { ...second, swapped: true };
    list[j] = first;
    done += 1;
  }
  const copies = Math.round(events.length * (options.duplicates ?? 0.1));
  const chosen = new Set<number>();
  while (chosen.size < Math.min(copies, events.length)) chosen.add(Math.floor(random() * list.length));
  const inserts = [...chosen].map((i) => ({ at: i + between(random, 1, 50), event: (list[i] as Delivery).event }));
  inserts.sort((a, b) => b.at - a.at);
  for (const insert of inserts) {
    list.splice(Math.min(insert.at, list.length), 0, { event: insert.event, duplicate: true, swapped: false });
  }
  return list;
}

/** The API Gateway (HTTP API) request Stripe's delivery becomes, signed with the endpoint secret. */
export function signedDelivery(event: StripeEvent, secret: string, timestamp: number): APIGatewayProxyEventV2 {
  const payload = JSON.stringify(event);
  return webhookRequest({
    payload,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
    },
    requestId: event.id,
    at: new Date(timestamp * 1000),
  });
}

/** Runs `work(i)` for i in [0, count) with at most `limit` at once. */
export async function inPool(count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next;
      next += 1;
      await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}
