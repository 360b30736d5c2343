import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  body: string;
  signature: string | undefined;
}

/** A tiny HTTP endpoint recording Stripe deliveries; `respond` picks each answer's status (default 200). */
export async function startWebhookReceiver(respond: (n: number) => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  let calls = 0;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    calls += 1;
    const status = respond(calls);
    if (status < 300) {
      const signature = req.headers['stripe-signature'];
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: Array.isArray(signature) ? signature[0] : signature,
      });
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    calls: () => calls,
    types: () => received.map((r) => (JSON.parse(r.body) as { type: string }).type),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
