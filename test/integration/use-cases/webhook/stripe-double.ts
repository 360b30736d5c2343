import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny Stripe API double for the real Stripe SDK: just the reads the webhook makes (subscription list by
 * customer, customer, charge). Records every request so tests can count Stripe calls.
 */
export class StripeDouble {
  readonly subscriptions = new Map<string, Record<string, unknown>[]>();
  readonly customers = new Map<string, Record<string, unknown>>();
  readonly charges = new Map<string, Record<string, unknown>>();
  readonly requests: string[] = [];
  private server: Server | undefined;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_double' });
        res.end(JSON.stringify(body));
      };
      const notFound = () =>
        send(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such object' } });
      if (req.method === 'GET' && url.pathname === '/v1/subscriptions') {
        const data = this.subscriptions.get(url.searchParams.get('customer') ?? '') ?? [];
        return send(200, { object: 'list', data, has_more: false, url: '/v1/subscriptions' });
      }
      const customer = url.pathname.match(/^\/v1\/customers\/([^/]+)$/);
      if (req.method === 'GET' && customer?.[1]) {
        const found = this.customers.get(customer[1]);
        return found ? send(200, found) : notFound();
      }
      const charge = url.pathname.match(/^\/v1\/charges\/([^/]+)$/);
      if (req.method === 'GET' && charge?.[1]) {
        const found = this.charges.get(charge[1]);
        return found ? send(200, found) : notFound();
      }
      return notFound();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
