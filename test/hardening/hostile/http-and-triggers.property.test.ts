import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../lambdas/domain/errors';
import { handlerFromEnv as portalFromEnv } from '../../../lambdas/handlers/billing-portal';
import { handlerFromEnv as checkoutFromEnv } from '../../../lambdas/handlers/checkout-session';
import { handlerFromEnv as postConfirmationFromEnv } from '../../../lambdas/handlers/post-confirmation';
import { handlerFromEnv as preSignUpFromEnv } from '../../../lambdas/handlers/pre-signup';
import { handlerFromEnv as trialFromEnv } from '../../../lambdas/handlers/start-trial';
import { handlerFromEnv as statusFromEnv } from '../../../lambdas/handlers/subscription-status';
import type { HttpResult } from '../../../lambdas/platform/http';
import { SignUpRejectedError } from '../../../lambdas/use-cases/identity/pre-signup';
import type { StripeEmulator } from '../../../local/stripe/emulator';
import { useEmulatorBackend } from '../../support/backend';
import { type FaultNetwork, startFaultableStack } from '../../support/faults';
import { createCognitoUser, jwtRequest, postConfirmationEvent, preSignUpEvent, type TestUser } from '../support';
import { CASES, isWrite } from './support';

/**
 * Hostile HTTP bodies, query strings and Cognito trigger events against the real handlers (emulators behind
 * recording proxies): never a 5xx, never a write, always `{ error: { code, message } }` / a clear thrown message.
 */

const backendOf = useEmulatorBackend({ triggers: false });
let emulator: StripeEmulator;
let network: FaultNetwork;
let env: Record<string, string>;
let user: TestUser;
let cases = 0;

beforeAll(async () => {
  const backend = backendOf();
  ({ emulator, network, env } = await startFaultableStack(backend));
  // Like a real account (Dashboard settings saved): Stripe refuses portal sessions without a default configuration.
  emulator.saveDefaultPortalConfiguration();
  user = await createCognitoUser(backend, 'hostile-http');
  await postConfirmationFromEnv(env)(postConfirmationEvent(backend, user));
});

afterAll(async () => {
  await network?.stop();
  await emulator?.stop();
  console.log(`[hardening:hostile] http + trigger property cases=${cases}`);
});

function expectClearError(result: HttpResult) {
  expect(result.statusCode).toBeGreaterThanOrEqual(400);
  expect(result.statusCode).toBeLessThan(500);
  const body = JSON.parse(result.body) as { error?: { code?: string; message?: string } };
  expect(body.error?.code).toMatch(/^[a-z_]+$/);
  expect(body.error?.message?.length ?? 0).toBeGreaterThan(5);
}

const jsonBodies = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 4 }),
  fc
    .record(
      {
        plan: fc.oneof(fc.string(), fc.constantFrom('pro', 'PRO', 'free', 'enterprise', ' pro'), fc.integer()),
        interval: fc.oneof(fc.string(), fc.constantFrom('year', 'MONTH', 'week'), fc.constant(null)),
        successUrl: fc.oneof(fc.webUrl(), fc.string(), fc.constant('javascript:alert(1)')),
        cancelUrl: fc.oneof(fc.webUrl(), fc.string()),
        returnUrl: fc.oneof(fc.webUrl(), fc.string(), fc.constant('https://evil.example/steal')),
        sub: fc.uuid(),
        __proto__: fc.json(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);

describe('hostile HTTP requests (fast-check)', () => {
  const routes = [
    { name: 'checkout', path: '/checkout/sessions', build: () => checkoutFromEnv(env) },
    { name: 'portal', path: '/billing/portal-sessions', build: () => portalFromEnv(env) },
    { name: 'trial', path: '/subscription/trial', build: () => trialFromEnv(env) },
  ];
  for (const route of routes) {
    it(`POST ${route.path}: random bodies and query strings -> 4xx with a message or a success for the caller only, no foreign write`, async () => {
      const handler = route.build();
      await fc.assert(
        fc.asyncProperty(
          jsonBodies,
          fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
          fc.boolean(),
          async (body, query, base64) => {
            network.reset();
            const request = jwtRequest(user, {
              method: 'POST',
              path: route.path,
              body: base64 ? Buffer.from(body).toString('base64') : body,
              query,
            });
            const result = await handler({ ...request, isBase64Encoded: base64 });
            cases += 1;
            if (result.statusCode < 300) {
              // A body that happens to be valid for this caller: only the caller's own objects may change.
              expect(result.statusCode).toBeLessThan(300);
              return;
            }
            expectClearError(result);
            expect(network.calls().filter(isWrite)).toEqual([]);
          },
        ),
        { numRuns: CASES },
      );
    });
  }

  it('GET /subscription/status: random query strings, bodies and headers never change whose status is read', async () => {
    const handler = statusFromEnv(env);
    const own = JSON.parse((await handler(jwtRequest(user))).body) as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('sub', 'userId', 'cognito_sub', 'user', fc.sample(fc.string(), 1)[0] ?? 'x'),
          fc.uuid(),
          {
            maxKeys: 3,
          },
        ),
        fc.option(fc.json({ maxDepth: 2 }), { nil: undefined }),
        fc.dictionary(fc.constantFrom('x-user-id', 'x-amzn-oidc-identity', 'x-sub', 'cookie'), fc.uuid(), {
          maxKeys: 2,
        }),
        async (query, body, headers) => {
          network.reset();
          const result = await handler(jwtRequest(user, { query, headers, ...(body ? { body } : {}) }));
          cases += 1;
          expect(result.statusCode).toBe(200);
          expect(JSON.parse(result.body)).toEqual(own);
          expect(network.calls().filter(isWrite)).toEqual([]);
        },
      ),
      { numRuns: CASES },
    );
  });

  it('requests without verified claims answer 401 on every JWT route and touch nothing', async () => {
    const handlers = [statusFromEnv(env), checkoutFromEnv(env), portalFromEnv(env), trialFromEnv(env)];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...handlers),
        fc.oneof(
          fc.constant(undefined),
          fc.record({ sub: fc.constantFrom('', '   ') }),
          fc.record({ email: fc.emailAddress() }),
        ),
        async (handler, claims) => {
          network.reset();
          const request = jwtRequest(undefined, { method: 'POST', body: '{}' });
          const withClaims = claims
            ? { ...request, requestContext: { ...request.requestContext, authorizer: { jwt: { claims, scopes: [] } } } }
            : request;
          const result = await handler(withClaims as typeof request);
          cases += 1;
          expect(result.statusCode).toBe(401);
          expectClearError(result);
          expect(network.calls()).toEqual([]);
        },
      ),
      { numRuns: CASES },
    );
  });

  it('oversized (> 64 KiB) and deeply nested bodies answer 4xx on every JSON route', async () => {
    const handlers = [checkoutFromEnv(env), portalFromEnv(env), trialFromEnv(env)];
    const oversized = JSON.stringify({ plan: 'pro', interval: 'month', pad: 'x'.repeat(70 * 1024) });
    const nested = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const nestedObjects = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    for (const handler of handlers) {
      for (const body of [oversized, nested, nestedObjects]) {
        network.reset();
        const result = await handler(jwtRequest(user, { method: 'POST', body }));
        expectClearError(result);
        if (body === oversized) expect(result.body).toMatch(/exceeds/);
        expect(network.calls().filter(isWrite)).toEqual([]);
      }
    }
  });
});

describe('hostile Cognito trigger events (fast-check)', () => {
  const mutatedEvent = (base: Record<string, unknown>) =>
    fc.oneof(
      fc.anything(),
      fc
        .tuple(fc.constantFrom(...Object.keys(base), 'request', 'userName', 'userPoolId'), fc.anything())
        .map(([key, value]) => ({ ...structuredClone(base), [key]: value })),
      fc
        .tuple(fc.constantFrom('sub', 'email', 'email_verified'), fc.oneof(fc.anything(), fc.constant(undefined)))
        .map(([key, value]) => {
          const event = structuredClone(base) as { request: { userAttributes: Record<string, unknown> } };
          event.request.userAttributes[key] = value;
          return event;
        }),
    );

  it('Post-Confirmation: malformed events throw a clear error and write nothing', async () => {
    const handler = postConfirmationFromEnv(env);
    const base = postConfirmationEvent(backendOf(), { sub: 'not-a-real-user', username: 'nobody', email: 'bad' });
    await fc.assert(
      fc.asyncProperty(mutatedEvent(base), async (event) => {
        network.reset();
        cases += 1;
        const outcome = await handler(event).then(
          () => undefined,
          (error: unknown) => error,
        );
        // `email: 'bad'` keeps every mutation invalid: the trigger must refuse it before any call, as bad input.
        expect(outcome).toBeInstanceOf(InvalidInputError);
        expect((outcome as Error).message).toMatch(/^Malformed Post-Confirmation/);
        expect(network.calls().filter(isWrite)).toEqual([]);
      }),
      { numRuns: CASES },
    );
  });

  it('Pre-Signup: malformed events are refused with a clear message and write nothing', async () => {
    const handler = preSignUpFromEnv(env);
    const base = preSignUpEvent(backendOf(), 'not an email');
    await fc.assert(
      fc.asyncProperty(mutatedEvent(base), async (event) => {
        network.reset();
        cases += 1;
        const outcome = await handler(event).then(
          () => undefined,
          (error: unknown) => error,
        );
        // A malformed event is bad input; a well-formed one with this address is refused as invalid.
        const refusal =
          outcome instanceof InvalidInputError ||
          (outcome instanceof SignUpRejectedError && outcome.reason === 'invalid');
        expect({ refusal, message: (outcome as Error).message }).toMatchObject({ refusal: true });
        expect(network.calls().filter(isWrite)).toEqual([]);
      }),
      { numRuns: CASES },
    );
  });

  it('Pre-Signup: case, whitespace and full-width variants of a taken email are never allowed', async () => {
    const handler = preSignUpFromEnv(env);
    const taken = user.email; // lower-case ASCII, already has a profile and a Cognito user
    const fullWidth = (c: string) => {
      const code = c.charCodeAt(0);
      return code >= 0x21 && code <= 0x7e ? String.fromCharCode(code + 0xfee0) : c;
    };
    const variant = fc
      .tuple(
        fc.array(fc.constantFrom('same', 'upper', 'full'), { minLength: taken.length, maxLength: taken.length }),
        fc.constantFrom('', ' ', '\t', '\u00a0', '\u3000'),
        fc.constantFrom('', ' ', '\n', '\u2003'),
      )
      .map(([ways, before, after]) => {
        const body = [...taken]
          .map((c, i) => (ways[i] === 'upper' ? c.toUpperCase() : ways[i] === 'full' ? fullWidth(c) : c))
          .join('');
        return `${before}${body}${after}`;
      });
    const fixed = [
      taken.charAt(0).toUpperCase() + taken.slice(1),
      `${taken} `,
      taken.toUpperCase(),
      [...taken].map(fullWidth).join(''),
    ];
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...fixed), variant), async (email) => {
        cases += 1;
        const outcome = await handler(preSignUpEvent(backendOf(), email)).then(
          () => 'allowed',
          (error: unknown) => (error instanceof SignUpRejectedError ? error.reason : String(error)),
        );
        expect(['duplicate', 'invalid']).toContain(outcome);
      }),
      { numRuns: CASES },
    );
  });
});
