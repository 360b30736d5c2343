import type Stripe from 'stripe';
import { beforeAll, expect } from 'vitest';
import type { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import type { LocalStack } from '../../local/stack';
import type { StripeEmulator } from '../../local/stripe/emulator';
import type { StripeEvent } from '../../local/stripe/types';
import { call, signedUpUser, uniqueEmail } from '../shipped/support';
import { useLocalStack } from '../support/local-stack';

/**
 * The access rules end to end (issue 14): the local stack in-process, real handlers behind the local gateway, the
 * Stripe emulator playing Stripe's documented sequences and delivering them signed, the handlers on its clock.
 */

export interface World {
  stack: LocalStack;
  stripe: Stripe;
  emulator: StripeEmulator;
}

/** One local stack per `useStack` (per test file, or per describe). `lambdaEnv` adds to every handler's environment. */
export function useStack(options: { catalog?: PlanCatalog; lambdaEnv?: Record<string, string> } = {}): () => World {
  const started = useLocalStack('e2e-rules', options);
  let world: World | undefined;
  beforeAll(() => {
    const { stack } = started();
    const emulator = stack.stripe;
    if (!emulator) throw new Error('the e2e needs the Stripe emulator');
    world = { stack, stripe: emulator.client(), emulator };
  });
  return () => {
    if (!world) throw new Error('the local stack did not start');
    return world;
  };
}

/** Stripe's delivery freedoms: shuffled within a window, a share delivered twice (reset with `inOrder`). */
export function shuffled(world: World, seed: number): void {
  world.emulator.setDeliveryRealism({ order: 'shuffle', windowMs: 30, duplicateRate: 0.5, seed });
}

export function inOrder(world: World): void {
  world.emulator.setDeliveryRealism({ order: 'per-customer', duplicateRate: 0 });
}

/** Waits until every event so far is delivered; a delivery that failed for good fails the test. */
export async function drained(world: World): Promise<void> {
  await world.emulator.drainWebhooks();
  const failed = world.emulator.deliveries().filter((d) => d.status === 'failed');
  expect(failed.map((d) => `${d.type} ${d.lastStatusCode} ${d.lastError ?? ''}`)).toEqual([]);
}

/** Moves Stripe's clock (the handlers follow it) to `at` epoch seconds and delivers what fell due. */
export async function advanceTo(world: World, at: number): Promise<StripeEvent[]> {
  const events = world.emulator.advance(Math.max(0, at - world.emulator.now()));
  await drained(world);
  return events;
}

export interface User {
  sub: string;
  idToken: string;
  email: string;
  customerId: string;
}

/** Signs up (the triggers create the profile and the Stripe customer) and signs in. */
export async function newUser(world: World, tag: string): Promise<User> {
  const email = uniqueEmail(tag);
  const { sub, idToken } = await signedUpUser(world.stack, email);
  const customers = await world.stripe.customers.list({ email, limit: 1 });
  const customerId = customers.data[0]?.id;
  if (!customerId) throw new Error(`no Stripe customer for ${email}`);
  return { sub, idToken, email, customerId };
}

export async function status(world: World, user: User): Promise<Record<string, unknown>> {
  const response = await call(world.stack, 'GET', '/subscription/status', user.idToken);
  expect(response.status).toBe(200);
  return response.body;
}

/** POST /checkout/sessions, pays on the hosted page with `paymentMethod`, waits for the webhooks. */
export async function checkoutAndPay(
  world: World,
  user: User,
  plan = 'pro',
  paymentMethod = 'pm_card_visa',
): Promise<Stripe.Subscription> {
  const response = await call(world.stack, 'POST', '/checkout/sessions', user.idToken, { plan, interval: 'month' });
  expect(response.status).toBe(201);
  const { subscription } = world.emulator.completeCheckout(String(response.body.id), { paymentMethod });
  await drained(world);
  return world.stripe.subscriptions.retrieve(String(subscription.id));
}

/** A card on file as the customer's default (what a subscription made outside checkout charges). */
export async function cardOnFile(world: World, user: User, token = 'pm_card_visa'): Promise<void> {
  const method = await world.stripe.paymentMethods.attach(token, { customer: user.customerId });
  await world.stripe.customers.update(user.customerId, { invoice_settings: { default_payment_method: method.id } });
}

export const periodEndOf = (subscription: Stripe.Subscription): number =>
  subscription.items.data[0]?.current_period_end ?? Number.NaN;

const HOUR = 3600;

/** Signed up, bought pro (the first checkout has the 14-day trial), trial over and the first invoice charged. */
export async function paidPro(
  world: World,
  tag: string,
  paymentMethod = 'pm_card_visa',
): Promise<{ user: User; subscription: Stripe.Subscription }> {
  const user = await newUser(world, tag);
  const trialing = await checkoutAndPay(world, user, 'pro', paymentMethod);
  await advanceTo(world, (trialing.trial_end ?? 0) + HOUR + 60);
  return { user, subscription: await world.stripe.subscriptions.retrieve(trialing.id) };
}

/** The newest charge of the customer (Stripe lists newest first). */
export async function latestCharge(world: World, user: User): Promise<Stripe.Charge> {
  const charge = (await world.stripe.charges.list({ customer: user.customerId, limit: 1 })).data[0];
  if (!charge) throw new Error('no charge');
  return charge;
}

export { call };
