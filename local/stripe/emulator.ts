import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { PlanCatalog } from '../../lambdas/core/plan-catalog';
import { listen } from '../emulators/listen';
import { handleApiRequest } from './api';
import { seedCatalog } from './catalog';
import { StripeEngine, type StripeEvent, type Subscription } from './engine';
import { StripeApiError } from './errors';
import { decodeForm } from './form';
import { newId, type StripeObject, StripeStore } from './store';
import { type Delivery, WebhookDispatcher } from './webhooks';

export interface StripeEmulatorOptions {
  port?: number;
  /** The only key the API accepts (Bearer). Default: a fresh `sk_test_local_...`. */
  secretKey?: string;
  /** Signing secret of the webhook endpoint. Default: a fresh `whsec_...`. */
  webhookSecret?: string;
  /** Where events are delivered; may be set later with setWebhookUrl (the gateway may start after us). */
  webhookUrl?: string;
  catalog?: PlanCatalog;
  /** JSON file to persist state in; in-memory when absent. */
  stateFile?: string;
  /** Wall clock in ms (tests inject one); emulator time = wall time + advances. */
  wallClock?: () => number;
  apiVersion?: string;
  webhookMaxAttempts?: number;
  webhookBackoffMs?: (attempt: number) => number;
  onDelivery?: (delivery: Delivery) => void;
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
  /** Advances the clock; renewals, trial ends, failed payments and period-end cancellations happen. */
  advance(seconds: number): StripeEvent[];
  /** The next `count` payment attempts of this customer fail (card declined). */
  failNextPayment(customerId: string, count?: number): void;
  /** Same as visiting the checkout session's URL: pays and completes it. */
  completeCheckout(sessionId: string): { session: StripeObject; subscription: Subscription };
  /** Waits until every event emitted so far is delivered (or given up after retries). */
  drainWebhooks(): Promise<{ delivered: number; failed: number; skipped: number }>;
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

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The local Stripe API: the real stripe-node SDK talks to it over HTTP (`host`, `port`, `protocol: 'http'`).
 * See docs/local-stack.md for the endpoints, the control API under `/_emulator` and the known differences.
 */
export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const secretKey = options.secretKey ?? generateSecretKey();
  const webhookSecret = options.webhookSecret ?? generateWebhookSecret();
  const store = new StripeStore(options.stateFile, options.wallClock);
  let apiBase = '';
  const engine = new StripeEngine(store, {
    apiVersion: options.apiVersion ?? Stripe.API_VERSION,
    apiBase: () => apiBase,
  });
  seedCatalog(store, options.catalog ?? PlanCatalog.defaults(), store.now());
  store.flush();
  const dispatcher = new WebhookDispatcher({
    secret: webhookSecret,
    url: options.webhookUrl,
    maxAttempts: options.webhookMaxAttempts,
    backoffMs: options.webhookBackoffMs,
    onDelivery: options.onDelivery,
  });
  engine.onEvent((event, customer) => dispatcher.enqueue(event, customer));

  // Every mutation runs synchronously between these two lines, then the state is saved.
  const mutate = <T>(work: () => T): T => {
    try {
      engine.processDue();
      return work();
    } finally {
      store.save();
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      const failure =
        error instanceof StripeApiError
          ? error
          : new StripeApiError(500, `Emulator error: ${(error as Error).message}`, { type: 'api_error' });
      send(res, failure.status, failure.toBody());
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    const page = /^\/_emulator\/(checkout|portal)\/([A-Za-z0-9_]+)(\/pay)?$/.exec(url.pathname);
    if (page) return hostedPage(page[1] as string, page[2] as string, req, res);
    authenticate(req.headers.authorization, secretKey);
    if (url.pathname.startsWith('/_emulator/')) return control(method, url.pathname, body, res);

    const idempotencyKey = method === 'POST' ? header(req, 'idempotency-key') : undefined;
    const fingerprint = `${method} ${url.pathname}?${url.search}\n${body}`;
    if (idempotencyKey) {
      const saved = store.raw.idempotency[idempotencyKey];
      if (saved) {
        if (saved.fingerprint !== fingerprint) {
          throw new StripeApiError(
            400,
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            { type: 'idempotency_error' },
          );
        }
        res.writeHead(saved.status, {
          'content-type': 'application/json',
          'idempotent-replayed': 'true',
          'idempotency-key': idempotencyKey,
          'request-id': newId('req', 14),
        });
        res.end(saved.body);
        return;
      }
    }
    let status = 200;
    let payload: unknown;
    try {
      payload = mutate(() =>
        handleApiRequest(engine, { method, path: url.pathname, query: url.search.slice(1), body }),
      );
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      status = error.status;
      payload = error.toBody();
    }
    const text = JSON.stringify(payload, null, 2);
    // Stripe keeps results of requests that started executing (success and card errors), not validation errors.
    if (idempotencyKey && (status < 400 || status === 402)) {
      store.raw.idempotency[idempotencyKey] = { fingerprint, status, body: text, at: store.now() };
      pruneIdempotency();
      store.save();
    }
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': newId('req', 14),
      'stripe-version': options.apiVersion ?? Stripe.API_VERSION,
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    });
    res.end(text);
  }

  function pruneIdempotency(): void {
    // Stripe prunes keys after 24 h.
    const horizon = store.now() - 24 * 3600;
    for (const [key, saved] of Object.entries(store.raw.idempotency)) {
      if (saved.at < horizon) delete store.raw.idempotency[key];
    }
  }

  async function control(method: string, path: string, body: string, res: ServerResponse): Promise<void> {
    const input = parseControlBody(body);
    if (method === 'GET' && path === '/_emulator/clock')
      return send(res, 200, { now: store.now(), offset: store.raw.clockOffset });
    if (method === 'POST' && (path === '/_emulator/advance' || path === '/_emulator/clock')) {
      const seconds = Number(input.seconds ?? 0);
      const events = mutate(() => engine.advance(seconds));
      return send(res, 200, {
        now: store.now(),
        events: events.map(({ id, type, created }) => ({ id, type, created })),
      });
    }
    if (method === 'POST' && path === '/_emulator/fail-next-payment') {
      const customer = String(input.customer ?? '');
      const count = input.count === undefined ? 1 : Number(input.count);
      mutate(() => engine.failNextPayment(customer, count));
      return send(res, 200, { customer, failNext: store.raw.failNext[customer] ?? 0 });
    }
    if (method === 'POST' && path === '/_emulator/drain') return send(res, 200, await dispatcher.drain());
    if (method === 'GET' && path === '/_emulator/deliveries') return send(res, 200, { data: dispatcher.deliveries });
    if (method === 'POST' && path === '/_emulator/webhook-endpoint') {
      dispatcher.setUrl(typeof input.url === 'string' && input.url !== '' ? input.url : undefined);
      return send(res, 200, { url: dispatcher.url ?? null });
    }
    throw new StripeApiError(404, `Unknown emulator control route (${method} ${path}).`);
  }

  function hostedPage(kind: string, id: string, req: IncomingMessage, res: ServerResponse): void {
    if (kind === 'portal') {
      const session = store.get(id, 'billing_portal.session');
      if (!session) throw new StripeApiError(404, `No such portal session: '${id}'`);
      const subscriptions = store.all<Subscription>('subscription').filter((s) => s.customer === session.customer);
      send(res, 200, {
        portal: session,
        subscriptions: subscriptions.map(({ id: subId, status }) => ({ id: subId, status })),
      });
      return;
    }
    const { session, subscription } = mutate(() => engine.completeCheckout(id));
    const success =
      typeof session.success_url === 'string' ? session.success_url.replace('{CHECKOUT_SESSION_ID}', id) : undefined;
    // Browsers are sent on to the success URL like Stripe Checkout does; scripts get the outcome as JSON.
    if (success && (req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(303, { location: success });
      res.end();
      return;
    }
    send(res, 200, {
      completed: true,
      session: session.id,
      subscription: subscription.id,
      status: subscription.status,
      redirect: success ?? null,
    });
  }

  await listen(server, options.port ?? 0, 'stripe');
  const { port } = server.address() as AddressInfo;
  apiBase = `http://127.0.0.1:${port}`;

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
    completeCheckout: (sessionId) => mutate(() => engine.completeCheckout(sessionId)),
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

function authenticate(authorization: string | undefined, secretKey: string): void {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  const basic = /^Basic (.+)$/.exec(authorization ?? '');
  const given = match?.[1] ?? (basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] : undefined);
  if (!given) {
    throw new StripeApiError(
      401,
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  if (given !== secretKey) {
    throw new StripeApiError(401, `Invalid API Key provided: ${given.slice(0, 8)}${'*'.repeat(8)}${given.slice(-4)}`, {
      code: 'api_key_invalid',
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new StripeApiError(413, 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseControlBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  if (body.trim().startsWith('{')) {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      throw new StripeApiError(400, 'Control request body is not valid JSON.');
    }
  }
  return decodeForm(body);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body, null, 2));
}
