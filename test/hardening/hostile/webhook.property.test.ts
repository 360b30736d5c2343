import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerFromEnv as checkoutFromEnv } from '../../../lambdas/handlers/checkout-session';
import { handlerFromEnv as postConfirmationFromEnv } from '../../../lambdas/handlers/post-confirmation';
import { MAX_WEBHOOK_BODY_BYTES, handlerFromEnv as webhookFromEnv } from '../../../lambdas/handlers/stripe-webhook';
import type { HttpResult } from '../../../lambdas/platform/http';
import type { StripeEmulator } from '../../../local/stripe/emulator';
import { useEmulatorBackend } from '../../support/backend';
import { type FaultNetwork, startFaultableStack } from '../../support/faults';
import {
  allTableCounts,
  createCognitoUser,
  eventsOfCustomer,
  jwtRequest,
  postConfirmationEvent,
  signedWebhook,
  type TestUser,
} from '../support';
import { CASES, isWrite } from './support';

/**
 * Hostile webhook deliveries against the real handler (dynalite + cognito-local + the Stripe emulator, every call
 * recorded by FaultNetwork's proxies): never a 5xx for bad input, never a write, always a clear error message.
 */

const backendOf = useEmulatorBackend({ triggers: false });
let emulator: StripeEmulator;
let network: FaultNetwork;
let webhook: (event: Parameters<ReturnType<typeof webhookFromEnv>>[0]) => Promise<HttpResult>;
let env: Record<string, string>;
let validEvent: string;
let alice: TestUser;
let bob: TestUser;
let cases = 0;

beforeAll(async () => {
  const backend = backendOf();
  ({ emulator, network, env } = await startFaultableStack(backend));
  webhook = webhookFromEnv(env);
  const confirm = postConfirmationFromEnv(env);
  alice = await createCognitoUser(backend, 'hostile-alice');
  bob = await createCognitoUser(backend, 'hostile-bob');
  await confirm(postConfirmationEvent(backend, alice));
  await confirm(postConfirmationEvent(backend, bob));
  // Bob buys pro: his subscription's events exist in the emulator, none delivered yet.
  const checkout = await checkoutFromEnv(env)(
    jwtRequest(bob, { method: 'POST', path: '/checkout/sessions', body: '{"plan":"pro","interval":"month"}' }),
  );
  const { subscription } = emulator.completeCheckout((JSON.parse(checkout.body) as { id: string }).id);
  const created = eventsOfCustomer(emulator, subscription.customer as string).find(
    (e) => e.type === 'customer.subscription.created',
  );
  if (!created) throw new Error('no customer.subscription.created event');
  validEvent = JSON.stringify(created);
});

afterAll(async () => {
  await network?.stop();
  await emulator?.stop();
  console.log(`[hardening:hostile] webhook property cases=${cases}`);
});

/**
 * Runs a delivery and asserts the hostile-input contract: 4xx (or 200 ignored), clear message, no write. A validly
 * signed envelope of a handled type whose object does not fit is a genuine Stripe event (issue 14: never lost):
 * with `unfitParks`, it may be answered 200 parked-unfit with exactly two writes (the parked record, the ledger).
 */
async function assertRejected(
  request: Parameters<typeof webhook>[0],
  options: { unfitParks?: boolean } = {},
): Promise<HttpResult> {
  network.reset();
  const result = await webhook(request);
  cases += 1;
  expect(result.statusCode).toBeLessThan(500);
  const body = JSON.parse(result.body) as { outcome?: string; error?: { code?: string; message?: string } };
  if (result.statusCode !== 200) {
    expect(body.error?.code).toMatch(/^[a-z_]+$/);
    expect(body.error?.message?.length ?? 0).toBeGreaterThan(5);
  }
  if (options.unfitParks && body.outcome === 'parked-unfit') {
    // Parked with its reason, and recorded in the ledger so that a redelivery is a duplicate: nothing else.
    expect(network.calls().filter(isWrite).sort()).toEqual([
      'dynamodb:PutItem ParkedEvents',
      'dynamodb:PutItem WebhookEvents',
    ]);
  } else {
    expect(network.calls().filter(isWrite)).toEqual([]);
  }
  return result;
}

const mutate = (text: string) =>
  fc
    .tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.nat({ max: 8 }), fc.string({ maxLength: 8 }))
    .map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut))
    .filter((mutated) => mutated !== text);

describe('hostile webhook deliveries (fast-check)', () => {
  it('random and mutated bodies with missing, random, forged, stale or other-payload signatures: 4xx, no write', async () => {
    const secret = emulator.webhookSecret;
    const body = fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 }), mutate(validEvent));
    const header = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 120 }),
      fc.constant('t=1,v1=deadbeef'),
      // A real signature, but of the original event: the body was tampered with.
      fc.constant(Stripe.webhooks.generateTestHeaderString({ payload: validEvent, secret })),
    );
    const before = await allTableCounts(backendOf());
    await fc.assert(
      fc.asyncProperty(body, header, async (payload, signature) => {
        const request = signedWebhook(payload, secret);
        const headers = { ...request.headers };
        if (signature === undefined) delete headers['stripe-signature'];
        else headers['stripe-signature'] = signature;
        await assertRejected({ ...request, headers });
      }),
      { numRuns: CASES },
    );
    expect(await allTableCounts(backendOf())).toEqual(before);
  });

  it('validly signed garbage (random JSON, wrong shapes, unknown types): 400 invalid_event or 200 ignored with no write, or a handled envelope with an unfit object parked', async () => {
    const envelope = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer()),
        object: fc.constantFrom('event', 'charge', ''),
        type: fc.constantFrom(
          'customer.subscription.updated',
          'invoice.paid',
          'charge.dispute.created',
          'customer.deleted',
          'made.up',
        ),
        created: fc.oneof(fc.integer(), fc.string()),
        data: fc.oneof(fc.constant(null), fc.record({ object: fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j)) })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json({ maxDepth: 4 }),
          envelope.map((e) => JSON.stringify(e)),
        ),
        async (payload) => {
          const result = await assertRejected(signedWebhook(payload, emulator.webhookSecret), { unfitParks: true });
          expect([200, 400]).toContain(result.statusCode);
        },
      ),
      { numRuns: CASES },
    );
  });

  it('signature replays older than the 300 s tolerance and valid signatures made with another secret: 400', async () => {
    const now = Math.floor(Date.now() / 1000);
    // A replay is a captured (so past) signature; stripe-node accepts future timestamps, which only the holder
    // of the secret can produce.
    const replay = fc
      .integer({ min: 301, max: 10 * 365 * 86400 })
      .map((age) => ({ timestamp: now - age, secret: emulator.webhookSecret, stale: true }));
    const otherSecret = fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((s) => `whsec_${s}` !== emulator.webhookSecret)
      .map((s) => ({ timestamp: now, secret: `whsec_${s}`, stale: false }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(replay, otherSecret), async ({ timestamp, secret, stale }) => {
        const result = await assertRejected(signedWebhook(validEvent, secret, { timestamp }));
        expect(result.statusCode).toBe(400);
        const { error } = JSON.parse(result.body) as { error: { code: string; message: string } };
        expect(error.code).toBe('invalid_signature');
        expect(error.message).toMatch(stale ? /tolerance/ : /does not match/);
      }),
      { numRuns: CASES },
    );
  });

  it('huge bodies answer 413 and deeply nested JSON answers 4xx, never a crash', async () => {
    const huge = `{"pad":"${'x'.repeat(MAX_WEBHOOK_BODY_BYTES)}"}`;
    const hugeResult = await assertRejected(signedWebhook(huge, emulator.webhookSecret));
    expect(hugeResult.statusCode).toBe(413);
    for (const depth of [1_000, 50_000]) {
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      for (const payload of [nested, objects]) {
        const result = await assertRejected(signedWebhook(payload, emulator.webhookSecret));
        expect([400, 413]).toContain(result.statusCode);
      }
    }
  });

  it("an event for Bob's subscription carrying Alice's cognito_sub is parked as a conflict; nobody's entitlement changes", async () => {
    const { ddb, tables } = backendOf();
    const recordOf = async (user: TestUser) =>
      (await ddb.send(new GetCommand({ TableName: tables.entitlements, Key: { cognito_sub: user.sub } }))).Item;
    const before = { alice: await recordOf(alice), bob: await recordOf(bob) };
    const forged = JSON.parse(validEvent) as { id: string; data: { object: { metadata: Record<string, string> } } };
    forged.id = `${forged.id}_hijack`;
    forged.data.object.metadata = { ...forged.data.object.metadata, cognito_sub: alice.sub };

    const result = await webhook(signedWebhook(JSON.stringify(forged), emulator.webhookSecret));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ outcome: 'parked' });
    expect(await recordOf(alice)).toEqual(before.alice);
    expect(await recordOf(bob)).toEqual(before.bob);
    const parked = await ddb.send(new ScanCommand({ TableName: tables.parkedEvents }));
    expect(parked.Items?.find((item) => item.eventId === forged.id)).toMatchObject({ reason: 'conflict' });
  });
});
