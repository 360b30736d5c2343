import Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../../lambdas/domain/errors';
import { normaliseEvent } from '../../../../lambdas/domain/stripe-events';
import type { EventReader } from '../../../../lambdas/domain/stripe-read';
import {
  receiveDelivery,
  UNFIT_EVENT_MESSAGE,
  UNFIT_OUTCOME,
} from '../../../../lambdas/use-cases/webhook/receive-delivery';
import { retryAllParkedEvents } from '../../../../lambdas/use-cases/webhook/retry-parked-events';
import { stripeEvent, subscriptionObject, TEST_WEBHOOK_SECRET } from '../../../fixtures/stripe/builders';
import { useLogCapture } from '../../../support/logs';
import { memoryDeps, NOW } from '../../../support/webhook-memory';

/**
 * Unfit handled events are never lost (issue 14): a validly signed event of a handled type whose object does not
 * fit the schema is parked with the reason and acknowledged; a deploy that can read it re-applies it once.
 */

type Json = Record<string, unknown>;
const nowSeconds = Math.floor(NOW.getTime() / 1000);

function delivery(body: Json) {
  const payload = JSON.stringify(body);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: TEST_WEBHOOK_SECRET,
    timestamp: nowSeconds,
  });
  return { payload, signature };
}

/** A subscription event whose item period end arrives as a numeric string (what our schema refuses). */
function unfitCreated(id = 'evt_unfit_1'): Json {
  const subscription = subscriptionObject() as Json & { items: { data: Json[] } };
  const item = subscription.items.data[0] as Json;
  item.current_period_end = String(item.current_period_end);
  return stripeEvent('customer.subscription.created', subscription, { id, created: nowSeconds - 60 });
}

/** "A deploy that can read it": the same schema, with numeric strings accepted for the item period. */
const tolerantReader: EventReader = (envelope) => {
  const copy = structuredClone(envelope);
  const items = (copy.data.object as { items?: { data?: Json[] } }).items?.data ?? [];
  for (const item of items) {
    if (typeof item.current_period_end === 'string') item.current_period_end = Number(item.current_period_end);
  }
  return normaliseEvent(copy);
};

describe('receiveDelivery: unfit handled events', () => {
  const logs = useLogCapture();
  let memory: ReturnType<typeof memoryDeps>;

  beforeEach(() => {
    memory = memoryDeps();
    memory.profiles.add('sub-user-1', 'cus_base');
  });

  it('parks a validly signed handled event whose object does not fit, with the failing field, and answers processed', async () => {
    // Act
    const result = await receiveDelivery(memory.deps, delivery(unfitCreated()));

    // Assess
    expect(result).toEqual({ kind: 'processed', outcome: UNFIT_OUTCOME, eventType: 'customer.subscription.created' });
    expect([...memory.parked.items.values()]).toEqual([
      expect.objectContaining({
        eventId: 'evt_unfit_1',
        type: 'customer.subscription.created',
        stripeCustomerId: 'cus_base',
        reason: 'unfit',
        detail: expect.stringMatching(/^invalid subscription: items\.data\.0\.current_period_end: /),
        createdAt: NOW.toISOString(),
      }),
    ]);
    expect(memory.ledger.ids).toEqual(new Set(['evt_unfit_1']));
    expect(memory.entitlements.items.size).toBe(0);
    expect(logs.errors()).toEqual([UNFIT_EVENT_MESSAGE]);
    expect(logs.lines.find((line) => line.message === UNFIT_EVENT_MESSAGE)).toMatchObject({
      eventId: 'evt_unfit_1',
      type: 'customer.subscription.created',
      customerId: 'cus_base',
      detail: expect.stringContaining('items.data.0.current_period_end'),
    });
  });

  it('a redelivery keeps the one parked record and is a duplicate', async () => {
    await receiveDelivery(memory.deps, delivery(unfitCreated()));
    const again = await receiveDelivery(memory.deps, delivery(unfitCreated()));
    expect(again).toEqual({ kind: 'duplicate', eventType: 'customer.subscription.created' });
    expect(memory.parked.items.size).toBe(1);
    expect(logs.errors()).toEqual([UNFIT_EVENT_MESSAGE, UNFIT_EVENT_MESSAGE]);
  });

  it('parks an unfit object that names no customer under no customer', async () => {
    const body = stripeEvent('charge.dispute.created', { id: 'dp_1', object: 'dispute' }, { id: 'evt_unfit_dp' });
    const result = await receiveDelivery(memory.deps, delivery(body));
    expect(result).toEqual({ kind: 'processed', outcome: UNFIT_OUTCOME, eventType: 'charge.dispute.created' });
    expect(memory.parked.items.get('evt_unfit_dp')).toMatchObject({ stripeCustomerId: '', reason: 'unfit' });
    expect(logs.errors()).toEqual([UNFIT_EVENT_MESSAGE]);
  });

  it('still rejects an envelope that is not a Stripe event, and ignores an unhandled type, writing nothing', async () => {
    const noCreated = { ...unfitCreated(), created: 'yesterday' };
    const unhandled = stripeEvent('payment_intent.created', { id: 'pi_1', customer: 42 });
    expect(await receiveDelivery(memory.deps, delivery(noCreated))).toEqual({
      kind: 'rejected',
      code: 'invalid_event',
      message: expect.stringContaining('created'),
    });
    expect(await receiveDelivery(memory.deps, delivery(unhandled))).toEqual({
      kind: 'ignored',
      eventType: 'payment_intent.created',
    });
    expect(memory.parked.items.size).toBe(0);
    expect(memory.ledger.ids.size).toBe(0);
  });

  it('a failed park fails the delivery with no ledger record (Stripe retries it)', async () => {
    memory.parked.park = async () => {
      throw new DependencyUnavailableError('dynamodb', 'parked event write failed (test outage)');
    };
    await expect(receiveDelivery(memory.deps, delivery(unfitCreated()))).rejects.toThrow(DependencyUnavailableError);
    expect(memory.ledger.ids.size).toBe(0);
    expect(logs.errors()).toEqual([]);
  });
});

describe('re-applying parked unfit events', () => {
  useLogCapture();
  let memory: ReturnType<typeof memoryDeps>;

  beforeEach(async () => {
    memory = memoryDeps();
    memory.profiles.add('sub-user-1', 'cus_base');
    await receiveDelivery(memory.deps, delivery(unfitCreated()));
  });

  it('keeps the event parked while the deployed schema still cannot read it', async () => {
    const result = await retryAllParkedEvents(memory.deps);
    expect(result).toEqual({ applied: 0, stillParked: 1 });
    expect(memory.parked.items.has('evt_unfit_1')).toBe(true);
    expect(memory.entitlements.items.size).toBe(0);
  });

  it('applies it once a deploy can read it: entitlement written once, again and a redelivery change nothing', async () => {
    // Act: the deploy that reads it retries twice; then Stripe redelivers the event
    const deps = { ...memory.deps, readEvent: tolerantReader };
    const first = await retryAllParkedEvents(deps);
    const written = structuredClone(memory.entitlements.items.get('sub-user-1'));
    const second = await retryAllParkedEvents(deps);
    const redelivered = await receiveDelivery(deps, delivery(unfitCreated()));

    // Assess
    expect(first).toEqual({ applied: 1, stillParked: 0 });
    expect(second).toEqual({ applied: 0, stillParked: 0 });
    expect(redelivered).toEqual({ kind: 'duplicate', eventType: 'customer.subscription.created' });
    expect(written).toMatchObject({ plan: 'starter', status: 'active', entitled: true, entitlementsVersion: 1 });
    expect(memory.entitlements.items.get('sub-user-1')).toEqual(written);
    expect(memory.audit.forUser('sub-user-1')).toHaveLength(1);
    expect(memory.parked.items.size).toBe(0);
  });
});
