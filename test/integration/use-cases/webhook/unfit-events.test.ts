import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { normaliseEvent } from '../../../../lambdas/domain/stripe-events';
import type { EventReader } from '../../../../lambdas/domain/stripe-read';
import { CONTRACTS } from '../../../../lambdas/platform/contracts';
import { createRuntime } from '../../../../lambdas/platform/runtime';
import { retryParkedEventsForCustomer } from '../../../../lambdas/use-cases/webhook/retry-parked-events';
import { stripeEventDeps } from '../../../../lambdas/wiring/webhook';
import { signedRequest, stripeEvent, subscriptionObject, TEST_WEBHOOK_SECRET } from '../../../fixtures/stripe/builders';
import { useEmulatorBackend } from '../../../support/backend';
import { useLogCapture } from '../../../support/logs';
import { useWebhookHandler } from './support';

/** Unfit handled events (issue 14): parked durably in ParkedEvents (dynalite), re-applied by a deploy that reads them. */
describe('an unfit handled Stripe event against dynalite + cognito-local', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const { stripe, handle, newUser, record } = useWebhookHandler(backend, 'unfit');
  const logs = useLogCapture();
  const now = () => Math.floor(Date.now() / 1000);

  /** A subscription event whose item period end is a numeric string (refused by the deployed schema). */
  function unfitEvent(user: { sub: string; customerId: string }) {
    const subscription = subscriptionObject({
      customer: user.customerId,
      userSub: user.sub,
      lookupKey: 'pro_monthly',
      periodStart: now() - 86400,
    }) as Record<string, unknown> & { items: { data: Record<string, unknown>[] } };
    const item = subscription.items.data[0] as Record<string, unknown>;
    item.current_period_end = String(item.current_period_end);
    return stripeEvent('customer.subscription.created', subscription, { created: now() - 30 });
  }

  /** The same schema, reading numeric strings in the item period: what a fixed deploy would ship. */
  const fixedReader: EventReader = (envelope) => {
    const copy = structuredClone(envelope);
    for (const item of (copy.data.object as { items: { data: Record<string, unknown>[] } }).items.data) {
      item.current_period_end = Number(item.current_period_end);
    }
    return normaliseEvent(copy);
  };

  it('answers 200, keeps the event with its reason and ledger record, and applies it once a deploy can read it', async () => {
    // Prepare
    const user = await newUser();
    const event = unfitEvent(user);
    const { ddb, tables } = backend();

    // Act: delivered (and redelivered) to the deployed handler
    const response = await handle(signedRequest(event));
    const again = await handle(signedRequest(event));

    // Assess: parked durably, acknowledged, nothing applied
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true, outcome: 'parked-unfit' });
    expect(JSON.parse(again.body)).toEqual({ received: true, duplicate: true });
    const parked = await ddb.send(new GetCommand({ TableName: tables.parkedEvents, Key: { eventId: event.id } }));
    expect(parked.Item).toMatchObject({
      eventId: event.id,
      type: 'customer.subscription.created',
      stripeCustomerId: user.customerId,
      reason: 'unfit',
      detail: expect.stringContaining('items.data.0.current_period_end'),
      payload: JSON.stringify(event),
    });
    const ledger = await ddb.send(new GetCommand({ TableName: tables.webhookEvents, Key: { eventId: event.id } }));
    expect(ledger.Item).toMatchObject({ outcome: 'parked-unfit' });
    expect(await record(user.sub)).toBeUndefined();
    expect(logs.errors()).toEqual([
      'Stripe event parked: it does not fit the schema',
      'Stripe event parked: it does not fit the schema',
    ]);

    // Act: the customer's parked events retried by the current deploy, then by one that can read it (twice)
    const runtime = createRuntime(CONTRACTS.stripeWebhook, {
      ...backend().env,
      STRIPE_SECRET_KEY: 'sk_test_double',
      STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      STRIPE_API_BASE: stripe.endpoint,
    });
    const current = await retryParkedEventsForCustomer(stripeEventDeps(runtime), user.customerId);
    const fixed = { ...stripeEventDeps(runtime), readEvent: fixedReader };
    const applied = await retryParkedEventsForCustomer(fixed, user.customerId);
    const repeated = await retryParkedEventsForCustomer(fixed, user.customerId);

    // Assess: applied once, removed from ParkedEvents
    expect(current).toEqual({ applied: 0, stillParked: 1 });
    expect(applied).toEqual({ applied: 1, stillParked: 0 });
    expect(repeated).toEqual({ applied: 0, stillParked: 0 });
    expect(await record(user.sub)).toMatchObject({ plan: 'pro', status: 'active', entitlementsVersion: 1 });
    const gone = await ddb.send(new GetCommand({ TableName: tables.parkedEvents, Key: { eventId: event.id } }));
    expect(gone.Item).toBeUndefined();
  });
});
