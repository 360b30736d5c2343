import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { signedUpUser } from '../shipped/support';
import { advanceTo, call, cardOnFile, newUser, periodEndOf, useStack } from './support';

/**
 * DELETE /account with a stage that keeps the paid period and the Stripe customer for accounting (issue 16:
 * "cancels the user's Stripe subscriptions (immediately, configurable to period end), handles the Stripe customer
 * per stage config (delete, or keep for accounting with the link cleared and PII removed)"), through the local stack.
 */
const worldOf = useStack({
  lambdaEnv: { ACCOUNT_DELETION_SUBSCRIPTIONS: 'cancel-at-period-end', ACCOUNT_DELETION_CUSTOMER: 'anonymise' },
});

describe('DELETE /account with cancel-at-period-end and anonymise', () => {
  it('lets the subscription run out, keeps the customer without PII or link, and the email signs up anew with a new customer', async () => {
    // Prepare: a paying pro customer (no trial: a subscription with a card on file)
    const world = worldOf();
    const { stack } = world;
    const user = await newUser(world, 'delete-keep');
    await cardOnFile(world, user);
    const price = (await world.stripe.prices.list({ lookup_keys: ['pro_monthly'] })).data[0]?.id ?? '';
    const created = await world.stripe.subscriptions.create({ customer: user.customerId, items: [{ price }] });
    await advanceTo(world, world.emulator.now());
    expect((await call(stack, 'GET', '/subscription/status', user.idToken)).body).toMatchObject({ plan: 'pro' });

    // Act
    const deleted = await call(stack, 'DELETE', '/account', user.idToken);
    await advanceTo(world, world.emulator.now());
    const afterDelete = await world.stripe.subscriptions.retrieve(created.id);
    const customer = await world.stripe.customers.retrieve(user.customerId);
    await advanceTo(world, periodEndOf(afterDelete) + 120);
    const ended = await world.stripe.subscriptions.retrieve(created.id);
    const again = await signedUpUser(stack, user.email);

    // Assess
    expect(deleted).toMatchObject({
      status: 200,
      body: { deleted: true, subscriptions: 'cancel-at-period-end', customer: 'anonymise' },
    });
    expect(afterDelete).toMatchObject({ status: 'active', cancel_at_period_end: true });
    expect(customer).not.toHaveProperty('deleted', true);
    expect(customer).toMatchObject({ email: null, name: null });
    expect((customer as { metadata: Record<string, string> }).metadata.cognito_sub).toBeUndefined();
    expect(ended.status).toBe('canceled');
    // The subscription's later events name a customer with no user: ignored, never parked, never failed.
    const parked = await stack.backend.ddb.send(new ScanCommand({ TableName: stack.info.tables.parkedEvents }));
    expect((parked.Items ?? []).filter((item) => item.stripeCustomerId === user.customerId)).toEqual([]);
    expect(world.emulator.deliveries().filter((d) => d.status === 'failed')).toEqual([]);
    expect(again.sub).not.toBe(user.sub);
    const profile = await stack.backend.ddb.send(
      new GetCommand({ TableName: stack.info.tables.userProfiles, Key: { userId: again.sub } }),
    );
    expect(profile.Item?.stripeCustomerId).toMatch(/^cus_/);
    expect(profile.Item?.stripeCustomerId).not.toBe(user.customerId);
  });
});
