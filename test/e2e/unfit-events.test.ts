import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { normaliseEvent } from '../../lambdas/domain/stripe-events';
import type { EventReader } from '../../lambdas/domain/stripe-read';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { createRuntime } from '../../lambdas/platform/runtime';
import { retryAllParkedEvents } from '../../lambdas/use-cases/webhook/retry-parked-events';
import { stripeEventDeps } from '../../lambdas/wiring/webhook';
import { filterPatternOf, LOG_SIGNALS } from '../../lib/log-signals';
import { signedUpUser } from '../shipped/support';
import { jsonFilterMatches } from '../support/log-filter';
import { useLogCapture } from '../support/logs';
import { call, cardOnFile, newUser, status, useStack, type World } from './support';

/**
 * Unfit handled events are never lost (issue 14): a validly signed `customer.subscription.created` from the
 * emulator's real sequence, with one field in a shape our schema refuses, reaches the local stack's webhook: 200,
 * parked with the failing field, counted by the UnfitStripeEvents metric filter; reconcile reports it and its sweep
 * keeps it parked while the deployed schema cannot read it; the sweep of a deploy that can read it applies it once.
 */
const worldOf = useStack();
const UNFIT = 'Stripe event parked: it does not fit the schema';

async function deliverSigned(world: World, body: unknown) {
  const payload = JSON.stringify(body);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: world.stack.info.webhookSecret });
  const response = await fetch(`${world.stack.info.apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** "A deploy that can read it": the schema with the item period end read from a numeric string too. */
const fixedReader: EventReader = (envelope) => {
  const copy = structuredClone(envelope);
  for (const item of (copy.data.object as { items: { data: Record<string, unknown>[] } }).items.data) {
    item.current_period_end = Number(item.current_period_end);
  }
  return normaliseEvent(copy);
};

describe('a validly signed handled event whose object does not fit the schema', () => {
  const logs = useLogCapture();

  it('is parked (200) with the field, counted, kept by reconcile, and applied once by a deploy that can read it', async () => {
    // Prepare: a pro subscription whose events Stripe emits while our endpoint is unreachable
    const world = worldOf();
    const user = await newUser(world, 'unfit');
    await cardOnFile(world, user);
    const operator = await signedUpUser(world.stack, `unfit-operator-${Date.now()}@example.com`, { admin: true });
    const webhookUrl = `${world.stack.info.apiUrl}/webhooks/stripe`;
    world.emulator.setWebhookUrl(undefined);
    const price = (await world.stripe.prices.list({ lookup_keys: ['pro_monthly'] })).data[0];
    const subscription = await world.stripe.subscriptions.create({
      customer: user.customerId,
      items: [{ price: String(price?.id) }],
      metadata: { cognito_sub: user.sub },
    });
    await world.emulator.drainWebhooks();
    world.emulator.setWebhookUrl(webhookUrl);
    const original = world.emulator
      .events()
      .find(
        (e) => e.type === 'customer.subscription.created' && (e.data.object as { id?: string }).id === subscription.id,
      );
    if (!original) throw new Error('no customer.subscription.created event');
    const unfit = structuredClone(original) as typeof original & {
      data: { object: { items: { data: Record<string, unknown>[] } } };
    };
    const item = unfit.data.object.items.data[0] as Record<string, unknown>;
    item.current_period_end = String(item.current_period_end);
    const { ddb } = world.stack.backend;
    const { tables } = world.stack.info;

    // Act: the unfit event is delivered; reconcile reports it; the same deploy's parked-event sweep retries it
    const delivered = await deliverSigned(world, unfit);
    const before = await status(world, user);
    const parked = await ddb.send(new GetCommand({ TableName: tables.parkedEvents, Key: { eventId: original.id } }));
    const health = await call(world.stack, 'GET', `/admin/sync-health?user=${user.sub}`, operator.idToken);
    const runtime = createRuntime(CONTRACTS.reconcileScheduled, world.stack.env);
    const sameDeploy = await retryAllParkedEvents(stripeEventDeps(runtime));
    const keptByRetry = await ddb.send(
      new GetCommand({ TableName: tables.parkedEvents, Key: { eventId: original.id } }),
    );

    // Assess: acknowledged, parked with the failing field, counted, nothing applied
    expect(delivered).toEqual({ status: 200, body: { received: true, outcome: 'parked-unfit' } });
    expect(parked.Item).toMatchObject({
      reason: 'unfit',
      stripeCustomerId: user.customerId,
      type: 'customer.subscription.created',
      detail: expect.stringContaining('items.data.0.current_period_end'),
    });
    const line = logs.lines.find((l) => l.message === UNFIT);
    expect(line).toMatchObject({ level: 'ERROR', eventId: original.id });
    const pattern = filterPatternOf(LOG_SIGNALS.unfitStripeEvents).logPatternString;
    expect(jsonFilterMatches(pattern, line ?? {})).toBe(true);
    expect(before).toMatchObject({ plan: 'free', entitled: false });
    expect(health.body).toMatchObject({
      report: { findings: expect.arrayContaining([expect.objectContaining({ kind: 'parked-events' })]) },
    });
    expect(JSON.stringify(health.body)).toContain(`${original.id} (unfit, customer ${user.customerId})`);
    expect(sameDeploy.stillParked).toBeGreaterThanOrEqual(1);
    expect(keptByRetry.Item).toMatchObject({ reason: 'unfit' });

    // Act: a deploy that can read it runs the parked-event sweep twice; Stripe then redelivers the original
    const fixed = { ...stripeEventDeps(runtime), readEvent: fixedReader };
    const first = await retryAllParkedEvents(fixed);
    const after = await status(world, user);
    const versionAfter = await entitlementsVersion(world, user.sub);
    const second = await retryAllParkedEvents(fixed);
    const redelivered = await deliverSigned(world, original);

    // Assess: applied once
    expect(first.applied).toBeGreaterThanOrEqual(1);
    expect(second).toEqual({ applied: 0, stillParked: 0 });
    expect(redelivered).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(after).toMatchObject({ plan: 'pro', entitled: true, groups: ['pro'] });
    expect(await status(world, user)).toEqual(after);
    expect(await entitlementsVersion(world, user.sub)).toBe(versionAfter);
    const audit = await ddb.send(
      new QueryCommand({
        TableName: tables.auditLog,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': user.sub },
      }),
    );
    expect((audit.Items ?? []).filter((entry) => entry.eventId === original.id)).toHaveLength(1);
    const gone = await ddb.send(new GetCommand({ TableName: tables.parkedEvents, Key: { eventId: original.id } }));
    expect(gone.Item).toBeUndefined();
  });
});

async function entitlementsVersion(world: World, sub: string): Promise<unknown> {
  const out = await world.stack.backend.ddb.send(
    new GetCommand({ TableName: world.stack.info.tables.entitlements, Key: { cognito_sub: sub } }),
  );
  return out.Item?.entitlementsVersion;
}
