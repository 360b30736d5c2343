import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../../lambdas/platform/logger';
import { ROUTES } from '../../../lib/route-table';
import { type JourneyResult, runJourney } from '../../../local/journey';
import { type LocalStack, startLocalStack } from '../../../local/stack';
import { CASES } from '../hostile/support';

/**
 * Security checks against the whole local stack over HTTP (the gateway verifies JWTs like the HTTP API's
 * authorizer, the handlers are the deployed modules): log hygiene over a full journey, forged tokens, admin
 * routes, cross-user reads, body-size limits on every route.
 */

let stack: LocalStack;
let stateDir: string;
let journey: JourneyResult;
let second: JourneyResult;
const captured: string[] = [];

/** Every byte written to stdout/stderr (the Powertools logger writes there through its own Console). */
function captureOutput(): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  return () => {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  };
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'hardening-stack-'));
  stack = await startLocalStack({
    stateDir,
    ports: { api: 0, dynamodb: 0, cognito: 0, stripe: 0 },
    quiet: true,
    env: {},
    stripe: { webhookBackoffMs: () => 10 },
  });
  // Every level, so that a debug line leaking data would be caught too.
  logger.setLogLevel('DEBUG');
  const restore = captureOutput();
  try {
    journey = await runJourney(stack.info, { email: `Log.Check+${process.pid}@Example.com` });
    second = await runJourney(stack.info, { email: `second-${process.pid}@example.com` });
  } finally {
    restore();
    logger.setLogLevel('WARN');
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const api = (path: string, init: RequestInit = {}) => fetch(`${stack.info.apiUrl}${path}`, init);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('logs of a full journey (sign up, confirm, checkout, webhook, status, cancel)', () => {
  it('were captured', () => {
    expect(journey.statuses.final).toMatchObject({ status: 'canceled' });
    // Lines of the trigger and the webhook prove the handlers' logger output was intercepted.
    expect(captured.join('')).toContain('User provisioned');
    expect(captured.join('').length).toBeGreaterThan(500);
  });

  it('hold no raw email, JWT, card-like number or Stripe secret', () => {
    const text = captured.join('');
    const emails = [journey.email, second.email].flatMap((e) => [e, e.toLowerCase()]);
    expect(emails.filter((email) => text.includes(email))).toEqual([]);
    expect(text.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? []).toEqual([]);
    expect(text.match(/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/g) ?? []).toEqual([]);
    expect([journey.idToken, second.idToken].filter((token) => text.includes(token))).toEqual([]);
    // Request and correlation ids are UUIDs on every line: their all-digit groups joined by dashes can look like a
    // dash-formatted card number (seen: 5248457559490). A card is never written 8-4-4-4-12, so UUIDs are left out.
    const withoutUuids = text.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>');
    const cards = (withoutUuids.match(/(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g) ?? [])
      .map((m) => m.replace(/[ -]/g, ''))
      .filter((digits) => digits.length >= 13 && digits.length <= 19 && luhnValid(digits))
      // Epoch milliseconds are 13 digits; they are times, not cards.
      .filter((digits) => !(digits.length === 13 && /^1[6-9]/.test(digits)));
    expect(cards).toEqual([]);
    expect(text.match(/\b(sk|rk)_(test|live)_[A-Za-z0-9]+|whsec_[A-Za-z0-9]+/g) ?? []).toEqual([]);
    expect(text.includes(stack.info.stripeSecretKey)).toBe(false);
    expect(text.includes(stack.info.webhookSecret)).toBe(false);
  });
});

describe('JWT-less and forged tokens at the gateway (fast-check)', () => {
  it('never reach a handler: 401 unauthorized from the authorizer on every JWT route', async () => {
    const jwtRoutes = Object.values(ROUTES).filter((r) => r.auth === 'jwt');
    const [header, payload, signature] = journey.idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forged = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
      fc.string({ maxLength: 60 }),
      // Someone else's sub / admin groups / a later expiry on a real token: the signature no longer matches.
      fc
        .record({ sub: fc.constantFrom(second.sub, 'admin', ''), groups: fc.constantFrom(['admins'], ['enterprise']) })
        .map((o) => `Bearer ${header}.${encode({ ...claims, sub: o.sub, 'cognito:groups': o.groups })}.${signature}`),
      fc.constant(`Bearer ${header}.${encode({ ...claims, exp: 4102444800 })}.${signature}`),
      // alg none, and HS256 signed with a guessed key.
      fc.constant(`Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`),
      fc.string({ minLength: 1, maxLength: 20 }).map((key) => {
        const head = encode({
          alg: 'HS256',
          typ: 'JWT',
          kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid,
        });
        const body = encode(claims);
        const sig = createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
        return `Bearer ${head}.${body}.${sig}`;
      }),
      // A flipped signature character. Not the last one: a 256-byte RSA signature is 342 base64url characters, whose
      // last character carries 4 padding bits: swapping two of A..P there decodes to the very same signature bytes.
      fc.nat({ max: signature.length - 2 }).map((i) => {
        const flipped = signature[i] === 'A' ? 'B' : 'A';
        return `Bearer ${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...jwtRoutes), forged, async (route, authorization) => {
        const response = await api(route.path, {
          method: route.method,
          headers: authorization === undefined ? {} : { authorization },
          ...(route.method === 'POST' ? { body: '{}' } : {}),
        });
        expect(response.status).toBe(401);
        // `unauthorized` is the gateway's code; a handler would answer `unauthenticated`.
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }),
      { numRuns: CASES },
    );
  });
});

describe('authorization', () => {
  it('admin routes refuse a signed-in user outside the admins group', async () => {
    for (const route of Object.values(ROUTES).filter((r) => r.path.startsWith('/admin/'))) {
      const response = await api(route.path, {
        method: route.method,
        headers: { ...bearer(journey.idToken), 'content-type': 'application/json' },
        ...(route.method === 'POST' ? { body: '{}' } : {}),
      });
      expect(`${route.method} ${route.path} ${response.status}`).toBe(`${route.method} ${route.path} 403`);
    }
  });

  it("the status route cannot be pointed at another user's sub by query, header or body", async () => {
    const own = await (await api('/subscription/status', { headers: bearer(second.idToken) })).json();
    const tricks: RequestInit[] = [
      { headers: { ...bearer(second.idToken), 'x-user-id': journey.sub, 'x-sub': journey.sub } },
      { headers: { ...bearer(second.idToken), cookie: `sub=${journey.sub}` } },
    ];
    for (const query of [`?sub=${journey.sub}`, `?userId=${journey.sub}&cognito_sub=${journey.sub}`]) {
      const response = await api(`/subscription/status${query}`, tricks[0]);
      expect(await response.json()).toEqual(own);
    }
    for (const init of tricks) {
      expect(await (await api('/subscription/status', init)).json()).toEqual(own);
    }
  });
});

describe('body-size limits on every route', () => {
  it('answers 413 to a body over the 1 MiB gateway limit, whatever the route', async () => {
    const huge = 'x'.repeat(1024 * 1024 + 1);
    const postPaths = new Set<string>(
      Object.values(ROUTES)
        .filter((route) => route.method === 'POST')
        .map((route) => route.path),
    );
    for (const route of Object.values(ROUTES)) {
      const response = await api(route.path, {
        method: 'POST',
        headers: { ...bearer(journey.idToken), 'content-type': 'application/json' },
        body: huge,
      });
      // A path served only for other methods (GET, DELETE) answers a POST 404 before any body is read.
      expect(`${route.path} ${response.status}`).toBe(`${route.path} ${postPaths.has(route.path) ? 413 : 404}`);
    }
  });

  it('answers 413 (webhook, 256 KiB) or 400 (JSON routes, 64 KiB) to bodies between the handler and gateway limits', async () => {
    const body = JSON.stringify({ plan: 'pro', interval: 'month', pad: 'x'.repeat(300 * 1024) });
    for (const route of Object.values(ROUTES).filter((r) => r.method === 'POST')) {
      const response = await api(route.path, {
        method: 'POST',
        headers: { ...bearer(journey.idToken), 'content-type': 'application/json', 'stripe-signature': 't=1,v1=x' },
        body,
      });
      const expected = route.auth === 'none' ? 413 : route.path.startsWith('/admin/') ? 403 : 400;
      expect(`${route.path} ${response.status}`).toBe(`${route.path} ${expected}`);
    }
  });
});
