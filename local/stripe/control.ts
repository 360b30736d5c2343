import { disputeCharge } from './disputes';
import type { StripeEngine } from './engine';
import { invalidParameter, StripeApiError } from './errors';
import type { EmulatorSettings } from './settings';
import type { DeliveryRealism, WebhookDispatcher } from './webhooks';

/**
 * The emulator's control API under `/_emulator` (tests, demo, benchmarks), authenticated with the secret key. What it
 * stands for in Stripe: the clock is a test clock, `fail-next-payment` a declining test card, `settings` the
 * Dashboard's retry settings, `portal/default-configuration` saving the portal settings in the Dashboard,
 * `charges/:id/dispute` a cardholder's dispute, `delivery` the network's freedom to reorder and repeat deliveries.
 */

export interface ControlDeps {
  engine: StripeEngine;
  dispatcher: WebhookDispatcher;
  mutate: <T>(work: () => T) => T;
}

type Input = Record<string, unknown>;

export async function control(deps: ControlDeps, method: string, path: string, input: Input): Promise<unknown> {
  const { engine, dispatcher, mutate } = deps;
  const key = `${method} ${path}`;
  if (key === 'GET /_emulator/clock') return { now: engine.now(), offset: engine.store.raw.clockOffset };
  if (key === 'POST /_emulator/advance' || key === 'POST /_emulator/clock') {
    const seconds = input.to === undefined ? Number(input.seconds ?? 0) : Math.max(0, Number(input.to) - engine.now());
    const events = mutate(() => engine.advance(seconds));
    return { now: engine.now(), events: events.map(({ id, type, created }) => ({ id, type, created })) };
  }
  if (key === 'POST /_emulator/fail-next-payment') {
    const customer = String(input.customer ?? '');
    mutate(() => engine.failNextPayment(customer, input.count === undefined ? 1 : Number(input.count)));
    return { customer, failNext: engine.store.raw.failNext[customer] ?? 0 };
  }
  if (key === 'POST /_emulator/drain') return dispatcher.drain();
  if (key === 'GET /_emulator/deliveries') {
    return { endpoint: dispatcher.endpoint, realism: dispatcher.getRealism(), data: dispatcher.deliveries };
  }
  if (key === 'POST /_emulator/webhook-endpoint') return webhookEndpoint(dispatcher, input);
  if (key === 'POST /_emulator/delivery') return dispatcher.setRealism(realismOf(input));
  if (key === 'GET /_emulator/settings') return engine.store.raw.settings;
  if (key === 'POST /_emulator/settings') return mutate(() => engine.configure(input as Partial<EmulatorSettings>));
  if (key === 'POST /_emulator/portal/default-configuration')
    return mutate(() => engine.saveDefaultPortalConfiguration());
  const dispute = /^POST \/_emulator\/charges\/([A-Za-z0-9_]+)\/dispute$/.exec(key);
  if (dispute) {
    const reason = typeof input.reason === 'string' ? input.reason : 'fraudulent';
    return mutate(() => disputeCharge(engine.billing, dispute[1] as string, reason));
  }
  throw new StripeApiError(404, `Unknown emulator control route (${method} ${path}).`);
}

function webhookEndpoint(dispatcher: WebhookDispatcher, input: Input) {
  if (input.url !== undefined)
    dispatcher.setUrl(typeof input.url === 'string' && input.url !== '' ? input.url : undefined);
  if (input.enabled === true) dispatcher.enable();
  return { url: dispatcher.url ?? null, endpoint: dispatcher.endpoint };
}

function realismOf(input: Input): Partial<DeliveryRealism> {
  const out: Partial<DeliveryRealism> = {};
  if (input.order !== undefined) {
    if (input.order !== 'per-customer' && input.order !== 'shuffle')
      throw invalidParameter('order', 'order must be per-customer or shuffle');
    out.order = input.order;
  }
  for (const name of ['windowMs', 'duplicateRate', 'seed'] as const) {
    if (input[name] !== undefined) out[name] = Number(input[name]);
  }
  if (out.duplicateRate !== undefined && !(out.duplicateRate >= 0 && out.duplicateRate <= 1)) {
    throw invalidParameter('duplicateRate', 'duplicateRate must be between 0 and 1');
  }
  if (input.disableAfterFailures !== undefined) {
    out.disableAfterFailures = input.disableAfterFailures === null ? null : Number(input.disableAfterFailures);
  }
  return out;
}
