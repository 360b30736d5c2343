import type { IncomingMessage, ServerResponse } from 'node:http';
import { StripeApiError } from './errors';
import { decodeForm } from './form';

/** HTTP plumbing of the emulator: auth like Stripe's, bounded bodies, JSON answers. */

const MAX_BODY_BYTES = 1024 * 1024;

/** `Authorization: Bearer <key>` (or Basic with the key as user) must be the emulator's key, else 401. */
export function authenticate(authorization: string | undefined, secretKey: string): void {
  const bearer = /^Bearer (.+)$/.exec(authorization ?? '');
  const basic = /^Basic (.+)$/.exec(authorization ?? '');
  const given =
    bearer?.[1] ?? (basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] : undefined);
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

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new StripeApiError(413, 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Control requests take JSON (or form) bodies. */
export function parseControlBody(body: string): Record<string, unknown> {
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

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
}
