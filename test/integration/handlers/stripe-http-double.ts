import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny in-test HTTP double of the Stripe endpoints the frontend routes use (prices, customers with their list and
 * retrieve for healing, subscriptions list: the double's customers have none, checkout and portal sessions), so integration tests run the real
 * Stripe SDK (form encoding, idempotency headers, error parsing) end to end. Like Stripe, a repeated
 * Idempotency-Key replays the first response.
 */
export interface StripeHttpDouble {
  apiBase: string;
  customers: { id: string; email: string; metadata: Record<string, string> }[];
  checkoutSessions: { id: string; params: URLSearchParams }[];
  portalSessions: URLSearchParams[];
  /** Lookup key -> price id; edit per test. */
  prices: Map<string, string>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStripeHttpDouble(): Promise<StripeHttpDouble> {
  const replays = new Map<string, unknown>();
  const state: Omit<StripeHttpDouble, 'apiBase' | 'close'> = {
    customers: [],
    checkoutSessions: [],
    portalSessions: [],
    prices: new Map([
      ['pro_monthly', 'price_pro_monthly'],
      ['pro_yearly', 'price_pro_yearly'],
      ['starter_monthly', 'price_starter_monthly'],
      ['business_monthly', 'price_business_monthly'],
    ]),
  };

  const handle = (method: string, path: string, params: URLSearchParams): [number, unknown] => {
    if (method === 'GET' && path === '/v1/prices') {
      const keys = [...params.entries()].filter(([key]) => key.startsWith('lookup_keys')).map(([, value]) => value);
      const data = keys.flatMap((key) => {
        const id = state.prices.get(key);
        return id ? [{ id, object: 'price', lookup_key: key, active: true }] : [];
      });
      return [200, { object: 'list', data, has_more: false, url: '/v1/prices' }];
    }
    const customerObject = (customer: StripeHttpDouble['customers'][number]) => ({
      object: 'customer',
      ...customer,
      created: 1,
      subscriptions: { object: 'list', data: [], has_more: false, url: '/v1/subscriptions' },
    });
    if (method === 'GET' && path === '/v1/customers') {
      const email = params.get('email');
      const data = state.customers.filter((c) => email === null || c.email === email).map(customerObject);
      return [200, { object: 'list', data, has_more: false, url: '/v1/customers' }];
    }
    if (method === 'GET' && path.startsWith('/v1/customers/')) {
      const customer = state.customers.find((c) => c.id === path.slice('/v1/customers/'.length));
      if (customer) return [200, customerObject(customer)];
      return [404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such customer' } }];
    }
    if (method === 'GET' && path === '/v1/subscriptions') {
      return [200, { object: 'list', data: [], has_more: false, url: '/v1/subscriptions' }];
    }
    if (method === 'POST' && path === '/v1/customers') {
      const metadata = { cognito_sub: params.get('metadata[cognito_sub]') ?? '' };
      const customer = { id: `cus_${state.customers.length + 1}`, email: params.get('email') ?? '', metadata };
      state.customers.push(customer);
      return [200, { object: 'customer', ...customer }];
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const id = `cs_test_${state.checkoutSessions.length + 1}`;
      state.checkoutSessions.push({ id, params });
      return [200, { id, object: 'checkout.session', url: `https://checkout.stripe.test/${id}` }];
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      state.portalSessions.push(params);
      return [200, { id: 'bps_1', object: 'billing_portal.session', url: 'https://billing.stripe.test/p/1' }];
    }
    return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method} ${path})` } }];
  };

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://stripe.test');
    const body = await readBody(request);
    const params = request.method === 'GET' ? url.searchParams : new URLSearchParams(body);
    const key = request.headers['idempotency-key'];
    const replayKey = typeof key === 'string' ? `${url.pathname} ${key}` : undefined;
    let result = replayKey ? (replays.get(replayKey) as [number, unknown] | undefined) : undefined;
    if (!result) {
      result = handle(request.method ?? 'GET', url.pathname, params);
      if (replayKey) replays.set(replayKey, result);
    }
    response.writeHead(result[0], { 'content-type': 'application/json', 'request-id': 'req_test' });
    response.end(JSON.stringify(result[1]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}`,
    ...state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
