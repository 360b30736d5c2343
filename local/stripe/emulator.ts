import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { CreditPacks } from '../../lambdas/domain/credit-packs';
import { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import { listen } from '../emulators/listen';
import { handleApiRequest } from './api';
import { seedCatalog, seedCreditPacks } from './catalog';
import type { CheckoutPayment } from './checkout';
import { control } from './control';
import { disputeCharge } from './disputes';
import { StripeEngine } from './engine';
import { StripeApiError } from './errors';
import { hostedPage } from './hosted';
import { authenticate, header, parseControlBody, readBody, send } from './http';
import { IdempotencyKeys } from './idempotency';
import type { EmulatorSettings } from './settings';
import { newId, type StripeObject, StripeStore } from './store';
import type { Dispute, PaymentIntent, StripeEvent, Subscription } from './types';
import { type Delivery, type DeliveryRealism, type EndpointState, WebhookDispatcher } from './webhooks';

export interface StripeEmulatorOptions {
  port?: number;
  /** The only key the API accepts (Bearer). Default: a fresh `sk_test_local_...`. */
  secretKey?: string;
  /** Signing secret of the webhook endpoint. Default: a fresh `whsec_...`. */
  webhookSecret?: string;
  /** Where events are delivered; may be set later with setWebhookUrl (the gateway may start after us). */
  webhookUrl?: string;
  catalog?: PlanCatalog;
  /** Credit packs seeded as one-time prices (default: CreditPacks.defaults()). */
  creditPacks?: CreditPacks;
  /** JSON file to persist state in; in-memory when absent. */
  stateFile?: string;
  /** Wall clock in ms (tests inject one); emulator time = wall time + advances. */
  wallClock?: () => number;
  apiVersion?: string;
  webhookMaxAttempts?: number;
  webhookBackoffMs?: (attempt: number) => number;
  onDelivery?: (delivery: Delivery) => void;
  /** Delivery realism (order, duplicates, endpoint disabling); switchable later with setDeliveryRealism. */
  delivery?: Partial<DeliveryRealism>;
  /** Account settings (dunning, delays); switchable later with configure. */
  settings?: Partial<EmulatorSettings>;
}

export interface StripeEmulator {
  /** e.g. http://127.0.0.1:12111 — pass as STRIPE_API_BASE (see createStripeClient). */
  apiBase: string;
  port: number;
  secretKey: string;
  webhookSecret: string;
  engine: StripeEngine;
  /** A real stripe-node client pointed at this emulator. */
  client(options?: { maxNetworkRetries?: number }): Stripe;
  setWebhookUrl(url: string | undefined): void;
  /** Emulator time in epoch seconds. */
  now(): number;
  /** Advances the clock; renewals, trial ends, payment attempts, retries and cancellations happen. */
  advance(seconds: number): StripeEvent[];
  /** The next `count` payment attempts of this customer fail (card declined); 0 clears. */
  failNextPayment(customerId: string, count?: number): void;
  /** Same as visiting the checkout session's URL: pays (with a test payment method) and completes it. */
  completeCheckout(sessionId: string, payment?: CheckoutPayment): { session: StripeObject; subscription: Subscription };
  /** Pays a payment-mode (one-time prices) session's hosted page: local/stripe/payment-checkout.ts. */
  completePaymentCheckout(
    sessionId: string,
    payment?: CheckoutPayment,
  ): { session: StripeObject; paymentIntent: PaymentIntent };
  /** A cardholder disputes the charge (`charge.dispute.created`). */
  disputeCharge(chargeId: string, reason?: string): Dispute;
  /** Dunning retry schedule and outcome, delays: what the Dashboard's settings hold. */
  configure(settings: Partial<EmulatorSettings>): EmulatorSettings;
  /** What saving the portal settings in the Dashboard does; the local stack does it at start. */
  saveDefaultPortalConfiguration(): StripeObject;
  setDeliveryRealism(realism: Partial<DeliveryRealism>): DeliveryRealism;
  webhookEndpoint(): EndpointState;
  enableWebhookEndpoint(): void;
  /** Waits until every event emitted so far is delivered (or given up after retries). */
  drainWebhooks(): Promise<{ delivered: number; failed: number; skipped: number }>;
  /** Every event so far, oldest first (the Events API only serves the last 30 days). */
  events(): StripeEvent[];
  deliveries(): Delivery[];
  stop(): Promise<void>;
}

export const LOCAL_KEY_PREFIX = 'sk_test_local_';

export function generateSecretKey(): string {
  return `${LOCAL_KEY_PREFIX}${newId('k', 24).slice(2)}`;
}

export function generateWebhookSecret(): string {
  return `whsec_${newId('w', 32).slice(2)}`;
}

/**
 * The local Stripe API: the real stripe-node SDK talks to it over HTTP (`host`, `port`, `protocol: 'http'`).
 * See docs/local-stack.md for the endpoints, the sequences and the Stripe pages they follow, and the control API.
 */
export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const secretKey = options.secretKey ?? generateSecretKey();
  const webhookSecret = options.webhookSecret ?? generateWebhookSecret();
  const store = new StripeStore(options.stateFile, options.wallClock);
  let apiBase = '';
  const apiVersion = options.apiVersion ?? Stripe.API_VERSION;
  const engine = new StripeEngine(store, { apiVersion, apiBase: () => apiBase });
  seedCatalog(store, options.catalog ?? PlanCatalog.defaults(), store.now());
  seedCreditPacks(store, options.creditPacks ?? CreditPacks.defaults(), store.now());
  if (options.settings) engine.configure(options.settings);
  store.flush();
  const dispatcher = new WebhookDispatcher({
    secret: webhookSecret,
    url: options.webhookUrl,
    maxAttempts: options.webhookMaxAttempts,
    backoffMs: options.webhookBackoffMs,
    onDelivery: options.onDelivery,
    realism: options.delivery,
  });
  engine.onEvent((event, customer) => dispatcher.enqueue(event, customer));

  // Every mutation runs synchronously between due-processing passes, then the state is saved.
  const mutate = <T>(work: () => T): T => {
    try {
      engine.processDue();
      const result = work();
      engine.processDue();
      return result;
    } finally {
      store.save();
    }
  };
  const serve = requestHandler({ engine, dispatcher, mutate, secretKey, apiVersion, keys: new IdempotencyKeys(store) });
  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      const failure =
        error instanceof StripeApiError
          ? error
          : new StripeApiError(500, `Emulator error: ${(error as Error).message}`, { type: 'api_error' });
      send(res, failure.status, failure.toBody());
    });
  });
  await listen(server, options.port ?? 0, 'stripe');
  const { port } = server.address() as AddressInfo;
  apiBase = `http://127.0.0.1:${port}`;
  return emulatorHandle({ engine, dispatcher, mutate, server, port, apiBase, secretKey, webhookSecret, store });
}

interface HandlerDeps {
  engine: StripeEngine;
  dispatcher: WebhookDispatcher;
  mutate: <T>(work: () => T) => T;
  secretKey: string;
  apiVersion: string;
  keys: IdempotencyKeys;
}

function requestHandler(deps: HandlerDeps) {
  const { engine, dispatcher, mutate, secretKey, keys } = deps;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    const page = /^\/_emulator\/(checkout|portal)\/([A-Za-z0-9_]+)(\/pay|\/cancel)?$/.exec(url.pathname);
    if (page) {
      const target = { kind: page[1] as string, id: page[2] as string, ...(page[3] ? { action: page[3] } : {}) };
      return hostedPage(engine, mutate, target, req, res, body);
    }
    // Reading the time is public: the local stack's handlers follow this clock without holding the API key.
    if (method === 'GET' && url.pathname === '/_emulator/clock') {
      return send(res, 200, await control({ engine, dispatcher, mutate }, method, url.pathname, {}));
    }
    authenticate(req.headers.authorization, secretKey);
    if (url.pathname.startsWith('/_emulator/')) {
      return send(
        res,
        200,
        await control({ engine, dispatcher, mutate }, method, url.pathname, parseControlBody(body)),
      );
    }
    const idempotencyKey = method === 'POST' ? header(req, 'idempotency-key') : undefined;
    const fingerprint = `${method} ${url.pathname}?${url.search}\n${body}`;
    const saved = idempotencyKey ? keys.replay(idempotencyKey, fingerprint) : undefined;
    const common = { 'request-id': newId('req', 14), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) };
    if (saved) return send(res, saved.status, saved.body, { ...common, 'idempotent-replayed': 'true' });
    const { status, text } = runApi(deps, { method, path: url.pathname, query: url.search.slice(1), body });
    if (idempotencyKey) keys.save(idempotencyKey, fingerprint, status, text);
    send(res, status, text, { ...common, 'stripe-version': deps.apiVersion });
  };
}

function runApi(deps: HandlerDeps, request: { method: string; path: string; query: string; body: string }) {
  const delivered = (eventId: string) => deps.dispatcher.deliveredOk(eventId);
  let status = 200;
  let payload: unknown;
  try {
    payload = deps.mutate(() => handleApiRequest({ billing: deps.engine.billing, delivered }, request));
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    status = error.status;
    payload = error.toBody();
  }
  return { status, text: JSON.stringify(payload, null, 2) };
}

function emulatorHandle(parts: {
  engine: StripeEngine;
  dispatcher: WebhookDispatcher;
  mutate: <T>(work: () => T) => T;
  server: ReturnType<typeof createServer>;
  port: number;
  apiBase: string;
  secretKey: string;
  webhookSecret: string;
  store: StripeStore;
}): StripeEmulator {
  const { engine, dispatcher, mutate, server, port, apiBase, secretKey, webhookSecret, store } = parts;
  return {
    apiBase,
    port,
    secretKey,
    webhookSecret,
    engine,
    client: (clientOptions = {}) =>
      new Stripe(secretKey, {
        host: '127.0.0.1',
        port,
        protocol: 'http',
        maxNetworkRetries: clientOptions.maxNetworkRetries ?? 0,
      }),
    setWebhookUrl: (url) => dispatcher.setUrl(url),
    now: () => store.now(),
    advance: (seconds) => mutate(() => engine.advance(seconds)),
    failNextPayment: (customerId, count) => mutate(() => engine.failNextPayment(customerId, count)),
    completeCheckout: (sessionId, payment) => mutate(() => engine.completeCheckout(sessionId, payment)),
    completePaymentCheckout: (sessionId, payment) => mutate(() => engine.completePaymentCheckout(sessionId, payment)),
    disputeCharge: (chargeId, reason) => mutate(() => disputeCharge(engine.billing, chargeId, reason)),
    configure: (settings) => mutate(() => engine.configure(settings)),
    saveDefaultPortalConfiguration: () => mutate(() => engine.saveDefaultPortalConfiguration()),
    setDeliveryRealism: (realism) => dispatcher.setRealism(realism),
    webhookEndpoint: () => ({ ...dispatcher.endpoint }),
    enableWebhookEndpoint: () => dispatcher.enable(),
    drainWebhooks: () => dispatcher.drain(),
    events: () => store.all<StripeEvent>('event').reverse(),
    deliveries: () => [...dispatcher.deliveries],
    stop: async () => {
      dispatcher.stop();
      await dispatcher.drain();
      store.flush();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
