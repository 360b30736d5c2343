import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeDouble {
  url: string;
  /** Every customer actually created (a repeated Idempotency-Key replays, it does not create). */
  customers: Array<{ id: string; email: string | null; metadata: Record<string, string>; idempotencyKey?: string }>;
  /** Answer 500 (with `Stripe-Should-Retry: false`, so the SDK does not back off) while true. */
  down: boolean;
  close(): Promise<void>;
}

/** A tiny Stripe API double for `POST /v1/customers`: records creates and honours Idempotency-Key like Stripe. */
export async function startStripeDouble(): Promise<StripeDouble> {
  const replies = new Map<string, string>();
  const double: StripeDouble = {
    url: '',
    customers: [],
    down: false,
    close: async () => undefined,
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (double.down) {
      res.writeHead(500, { 'content-type': 'application/json', 'stripe-should-retry': 'false' });
      res.end(JSON.stringify({ error: { type: 'api_error', message: 'Stripe double is down' } }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/customers') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `No route ${req.url}` } }));
      return;
    }
    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : undefined;
    const replay = idempotencyKey ? replies.get(idempotencyKey) : undefined;
    if (replay) {
      res.writeHead(200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
      res.end(replay);
      return;
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const metadata: Record<string, string> = {};
    for (const [name, value] of form) {
      const match = /^metadata\[(.+)\]$/.exec(name);
      if (match?.[1]) metadata[match[1]] = value;
    }
    const customer = {
      id: `cus_double${double.customers.length + 1}`,
      object: 'customer',
      email: form.get('email'),
      name: form.get('name'),
      metadata,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    double.customers.push({ id: customer.id, email: customer.email, metadata, idempotencyKey });
    const body = JSON.stringify(customer);
    if (idempotencyKey) replies.set(idempotencyKey, body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  double.url = `http://127.0.0.1:${port}`;
  double.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return double;
}
