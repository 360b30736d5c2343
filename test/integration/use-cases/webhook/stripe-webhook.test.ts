import { AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DeleteCommand, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkoutSessionObject,
  signedRequest,
  stripeEvent,
  subscriptionObject,
} from '../../../fixtures/stripe/builders';
import { useEmulatorBackend } from '../../../support/backend';
import { useWebhookHandler } from './support';

describe('Stripe webhook against dynalite + cognito-local (real Stripe SDK against an HTTP double)', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const { stripe, handle, newUser, record } = useWebhookHandler(backend, 'webhook');
  const now = () => Math.floor(Date.now() / 1000);

  async function cognitoGroups(username: string): Promise<string[]> {
    const { cognitoClient, userPool } = backend();
    const result = await cognitoClient.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPool.userPoolId, Username: username }),
    );
    return (result.Groups ?? []).map((g) => g.GroupName ?? '').sort();
  }

  async function send(event: Record<string, unknown>) {
    const response = await handle(signedRequest(event));
    return { status: response.statusCode, body: JSON.parse(response.body) };
  }

  const subEvent = (
    type: string,
    user: { sub: string; customerId: string },
    options: Parameters<typeof subscriptionObject>[0],
    created: number,
  ) =>
    stripeEvent(
      `customer.subscription.${type}`,
      subscriptionObject({ customer: user.customerId, userSub: user.sub, periodStart: now() - 86400, ...options }),
      { created },
    );

  it('trial -> active -> past_due (grace) -> canceled, with real Cognito groups and an audit trail', async () => {
    const user = await newUser();
    const t = now() - 100;
    const trial = { status: 'trialing', lookupKey: 'pro_monthly', trialEnd: now() + 7 * 86400 };

    expect((await send(subEvent('created', user, trial, t))).status).toBe(200);
    expect(await record(user.sub)).toMatchObject({ status: 'trialing', plan: 'pro', entitled: true });
    expect(await cognitoGroups(user.username)).toEqual(['pro']);

    await send(subEvent('updated', user, { status: 'active', lookupKey: 'pro_monthly' }, t + 1));
    expect(await record(user.sub)).toMatchObject({ status: 'active', plan: 'pro' });

    await send(subEvent('updated', user, { status: 'past_due', lookupKey: 'pro_monthly' }, t + 2));
    expect(await record(user.sub)).toMatchObject({ status: 'past_due', plan: 'pro', entitled: true });
    expect((await record(user.sub))?.graceEndsAt).not.toBeNull();
    expect(await cognitoGroups(user.username)).toEqual(['pro']);

    await send(subEvent('deleted', user, { status: 'canceled', lookupKey: 'pro_monthly' }, t + 3));
    expect(await record(user.sub)).toMatchObject({
      status: 'canceled',
      plan: 'free',
      entitled: false,
      entitlementsVersion: 4,
    });
    expect(await cognitoGroups(user.username)).toEqual(['free']);

    const { ddb, tables } = backend();
    const audit = await ddb.send(
      new QueryCommand({
        TableName: tables.auditLog,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': user.sub },
      }),
    );
    expect(audit.Items?.map((i) => `${i.oldStatus}->${i.newStatus}`)).toEqual([
      'none->trialing',
      'trialing->active',
      'active->past_due',
      'past_due->canceled',
    ]);
    expect(stripe.requests).toEqual([]);
  });

  it('upgrade starter -> pro leaves starter and joins pro', async () => {
    const user = await newUser();
    const t = now() - 50;
    await send(subEvent('created', user, { lookupKey: 'starter_monthly' }, t));
    expect(await cognitoGroups(user.username)).toEqual(['starter']);

    await send(subEvent('updated', user, { lookupKey: 'pro_monthly' }, t + 1));

    expect(await cognitoGroups(user.username)).toEqual(['pro']);
    expect(await record(user.sub)).toMatchObject({ plan: 'pro', cognitoGroups: ['pro'], groups: ['pro'] });
  });

  it('two subscriptions: the better plan wins, and cancelling it falls back to the other', async () => {
    const user = await newUser();
    const t = now() - 50;
    await send(subEvent('created', user, { id: `sub_s_${user.customerId}`, lookupKey: 'starter_monthly' }, t));
    await send(subEvent('created', user, { id: `sub_b_${user.customerId}`, lookupKey: 'business_monthly' }, t + 1));
    expect(await cognitoGroups(user.username)).toEqual(['business']);

    await send(
      subEvent(
        'deleted',
        user,
        { id: `sub_b_${user.customerId}`, status: 'canceled', lookupKey: 'business_monthly' },
        t + 2,
      ),
    );

    expect(await record(user.sub)).toMatchObject({
      plan: 'starter',
      subscriptionIds: expect.arrayContaining([`sub_s_${user.customerId}`]),
    });
    expect(await cognitoGroups(user.username)).toEqual(['starter']);
  });

  it('a same-second tie re-reads the subscriptions through the real Stripe SDK', async () => {
    const user = await newUser();
    const t = now() - 20;
    stripe.subscriptions.set(user.customerId, [
      subscriptionObject({
        customer: user.customerId,
        userSub: user.sub,
        lookupKey: 'enterprise_monthly',
        periodStart: t,
      }),
    ]);
    await send(subEvent('updated', user, { lookupKey: 'starter_monthly' }, t));

    await send(subEvent('updated', user, { status: 'incomplete', lookupKey: 'pro_monthly' }, t));

    expect(await record(user.sub)).toMatchObject({ plan: 'enterprise' });
    expect(stripe.requests.filter((r) => r.includes(`customer=${user.customerId}`))).toHaveLength(1);
    expect(await cognitoGroups(user.username)).toEqual(['enterprise']);
  });

  it('parks an unresolvable customer durably and applies it when checkout completes', async () => {
    const user = await newUser({ link: false });
    const t = now() - 30;
    stripe.customers.set(user.customerId, { id: user.customerId, object: 'customer', metadata: {} });
    const parkedResponse = await send(
      stripeEvent(
        'customer.subscription.created',
        subscriptionObject({ customer: user.customerId, userSub: null, lookupKey: 'pro_monthly', periodStart: t }),
        {
          created: t,
        },
      ),
    );
    expect(parkedResponse).toEqual({ status: 200, body: { received: true, outcome: 'parked' } });
    const { ddb, tables } = backend();
    const parked = await ddb.send(new ScanCommand({ TableName: tables.parkedEvents }));
    expect(parked.Items?.filter((i) => i.stripeCustomerId === user.customerId)).toEqual([
      expect.objectContaining({ reason: 'unresolved', type: 'customer.subscription.created' }),
    ]);
    expect(await record(user.sub)).toBeUndefined();

    await send(
      stripeEvent(
        'checkout.session.completed',
        checkoutSessionObject({ customer: user.customerId, clientReferenceId: user.sub }),
        {
          created: t + 1,
        },
      ),
    );

    expect(await record(user.sub)).toMatchObject({ plan: 'pro', stripeCustomerId: user.customerId });
    expect(await cognitoGroups(user.username)).toEqual(['pro']);
    const after = await ddb.send(new ScanCommand({ TableName: tables.parkedEvents }));
    expect(after.Items?.filter((i) => i.stripeCustomerId === user.customerId)).toEqual([]);
  });

  it('records each event once in the ledger (TTL 5 days) and answers a redelivery as a duplicate', async () => {
    const user = await newUser();
    const event = subEvent('created', user, { lookupKey: 'starter_monthly' }, now() - 10);
    expect((await send(event)).body).toEqual({ received: true, outcome: 'applied' });

    expect((await send(event)).body).toEqual({ received: true, duplicate: true });

    const { ddb, tables } = backend();
    const ledger = await ddb.send(new GetCommand({ TableName: tables.webhookEvents, Key: { eventId: event.id } }));
    expect(ledger.Item?.expiresAt).toBeGreaterThanOrEqual(now() + 5 * 86400 - 60);
    expect((await record(user.sub))?.entitlementsVersion).toBe(1);
  });

  async function auditCount(sub: string): Promise<number> {
    const { ddb, tables } = backend();
    const audit = await ddb.send(
      new QueryCommand({
        TableName: tables.auditLog,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': sub },
      }),
    );
    return audit.Items?.length ?? 0;
  }

  it('a redelivery after a failed ledger write applies nothing twice, records the event, then is a duplicate', async () => {
    const user = await newUser();
    const event = subEvent('created', user, { lookupKey: 'pro_monthly' }, now() - 10);
    expect((await send(event)).body).toEqual({ received: true, outcome: 'applied' });
    // The state a ledger write failure leaves: every effect applied, no ledger record (the delivery answered 500).
    const { ddb, tables } = backend();
    await ddb.send(new DeleteCommand({ TableName: tables.webhookEvents, Key: { eventId: event.id } }));
    const applied = await record(user.sub);

    const retried = await send(event);

    expect(retried).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });
    expect(await record(user.sub)).toEqual(applied);
    expect(await auditCount(user.sub)).toBe(1);
    expect(await cognitoGroups(user.username)).toEqual(['pro']);
    const ledger = await ddb.send(new GetCommand({ TableName: tables.webhookEvents, Key: { eventId: event.id } }));
    expect(ledger.Item?.outcome).toBe('applied');
    expect((await send(event)).body).toEqual({ received: true, duplicate: true });
    expect(await record(user.sub)).toEqual(applied);
  });

  it('a redelivered same-second event is answered from the ledger without a Stripe re-read', async () => {
    const user = await newUser();
    const t = now() - 20;
    stripe.subscriptions.set(user.customerId, [
      subscriptionObject({ customer: user.customerId, userSub: user.sub, lookupKey: 'pro_monthly', periodStart: t }),
    ]);
    const starter = subEvent('updated', user, { lookupKey: 'starter_monthly' }, t);
    await send(starter);
    await send(subEvent('updated', user, { lookupKey: 'pro_monthly' }, t)); // a tie: one re-read
    const reads = () => stripe.requests.filter((r) => r.includes(`customer=${user.customerId}`)).length;
    expect(reads()).toBe(1);
    const before = await record(user.sub);

    const response = await send(starter);

    expect(response.body).toEqual({ received: true, duplicate: true });
    expect(reads()).toBe(1);
    expect(await record(user.sub)).toEqual(before);
    expect(await auditCount(user.sub)).toBe(2);
  });

  it('20 concurrent deliveries for one customer converge (failed ones redelivered like Stripe)', async () => {
    const user = await newUser();
    const t = now() - 40;
    const plans = ['starter_monthly', 'pro_monthly', 'business_monthly'];
    let pending = Array.from({ length: 20 }, (_, i) =>
      subEvent('updated', user, { lookupKey: plans[i % 3] ?? 'pro_monthly' }, t + i),
    );
    for (let round = 0; round < 10 && pending.length > 0; round += 1) {
      const results = await Promise.all(pending.map((event) => send(event)));
      pending = pending.filter((_, i) => results[i]?.status !== 200);
    }
    expect(pending).toEqual([]);
    // Event 19 is the newest: plans[19 % 3] = pro
    expect(await record(user.sub)).toMatchObject({ plan: 'pro', lastEventCreated: t + 19, cognitoGroups: ['pro'] });
    expect(await cognitoGroups(user.username)).toEqual(['pro']);
  });

  it('property (small, on the emulators): a shuffled delivery with duplicates matches in-order delivery', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            plan: fc.constantFrom('starter_monthly', 'pro_monthly'),
            status: fc.constantFrom('active', 'canceled', 'past_due'),
            gap: fc.nat(1),
          }),
          {
            minLength: 2,
            maxLength: 4,
          },
        ),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
        async (steps, keys) => {
          const results: { plan?: string; status?: string; groups: string[] }[] = [];
          for (const shuffle of [false, true]) {
            const user = await newUser();
            let created = now() - 60;
            const events = steps.map((step) => {
              created += step.gap;
              return subEvent('updated', user, { lookupKey: step.plan, status: step.status }, created);
            });
            const last = steps[steps.length - 1];
            stripe.subscriptions.set(user.customerId, [
              subscriptionObject({
                customer: user.customerId,
                userSub: user.sub,
                lookupKey: last?.plan,
                status: last?.status,
                periodStart: now() - 86400,
              }),
            ]);
            const deliveries = shuffle
              ? [...events, events[0] as Record<string, unknown>]
                  .map((event, i) => ({ event, key: keys[i] ?? 0 }))
                  .sort((a, b) => a.key - b.key)
                  .map(({ event }) => event)
              : events;
            for (const event of deliveries) expect((await send(event)).status).toBe(200);
            const stored = await record(user.sub);
            results.push({ plan: stored?.plan, status: stored?.status, groups: await cognitoGroups(user.username) });
          }
          expect(results[1]).toEqual(results[0]);
        },
      ),
      { numRuns: 8 },
    );
  });
});
