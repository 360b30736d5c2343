import { describe, expect, it } from 'vitest';
import { DynamoProfileStore } from '../../../../lambdas/adapters/dynamo/profile-store';
import { customerObject, signedRequest, stripeEvent, subscriptionObject } from '../../../fixtures/stripe/builders';
import { useEmulatorBackend } from '../../../support/backend';
import { useLogCapture } from '../../../support/logs';
import { useWebhookHandler } from './support';

/**
 * Issue 15 item 4, webhook part: a customer deleted in Stripe (its subscriptions canceled at once, then
 * `customer.deleted`) is unlinked from the profile and the record, so the events of the user's next customer apply
 * instead of being parked as "the user is linked to another Stripe customer".
 */
describe('customer.deleted, against dynalite + cognito-local', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const { handle, newUser, record } = useWebhookHandler(backend, 'gone-customer');
  const now = () => Math.floor(Date.now() / 1000);
  const logs = useLogCapture();
  const profiles = () => new DynamoProfileStore(backend().ddb, backend().tables.userProfiles);
  const send = async (event: Record<string, unknown>) => (await handle(signedRequest(event))).statusCode;
  const sub = (user: { sub: string }, customer: string, id: string, status: string) =>
    subscriptionObject({
      id,
      customer,
      userSub: user.sub,
      lookupKey: 'pro_monthly',
      status,
      periodStart: now() - 86_400,
    });

  it('unlinks the deleted customer (profile and record), then the new customer of the same user applies', async () => {
    // Prepare: a pro customer
    const user = await newUser();
    const t = now() - 30;
    expect(
      await send(
        stripeEvent('customer.subscription.created', sub(user, user.customerId, 'sub_old', 'active'), { created: t }),
      ),
    ).toBe(200);
    expect(await record(user.sub)).toMatchObject({ plan: 'pro', stripeCustomerId: user.customerId });

    // Act: the customer is deleted in Stripe (its subscription canceled first, as Stripe does), then a new one pays
    const gone = customerObject({ id: user.customerId, userSub: user.sub });
    expect(
      await send(
        stripeEvent('customer.subscription.deleted', sub(user, user.customerId, 'sub_old', 'canceled'), {
          created: t + 1,
        }),
      ),
    ).toBe(200);
    const deleted = stripeEvent('customer.deleted', gone, { created: t + 1 });
    expect(await send(deleted)).toBe(200);

    // Assess: unlinked everywhere, no access
    expect((await profiles().get(user.sub))?.stripeCustomerId).toBeUndefined();
    const afterDelete = await record(user.sub);
    expect(afterDelete?.stripeCustomerId).toBeUndefined();
    expect(afterDelete).toMatchObject({ entitled: false });
    expect(await send(deleted)).toBe(200); // a redelivery changes nothing

    // Act: the user's new customer subscribes
    const next = `${user.customerId}_new`;
    expect(
      await send(
        stripeEvent('customer.subscription.created', sub(user, next, 'sub_new', 'active'), { created: t + 2 }),
      ),
    ).toBe(200);

    // Assess: applied to the same user (not parked)
    expect(await record(user.sub)).toMatchObject({ plan: 'pro', entitled: true, stripeCustomerId: next });
    expect(logs.warnings()).toEqual([]);
  });

  it('a customer.deleted for a customer the profile no longer names leaves the current link alone', async () => {
    const user = await newUser();
    const other = `${user.customerId}_other`;
    const t = now() - 30;
    expect(
      await send(
        stripeEvent('customer.subscription.created', sub(user, user.customerId, 'sub_cur', 'active'), { created: t }),
      ),
    ).toBe(200);

    // An old customer of the user (metadata names them), deleted now
    expect(
      await send(stripeEvent('customer.deleted', customerObject({ id: other, userSub: user.sub }), { created: t + 1 })),
    ).toBe(200);

    expect((await profiles().get(user.sub))?.stripeCustomerId).toBe(user.customerId);
    expect(await record(user.sub)).toMatchObject({ plan: 'pro', stripeCustomerId: user.customerId });
    // It names a customer the user is not linked to: parked as a conflict (an operator's call), nothing changed.
    expect(logs.warnings()).toEqual(['Stripe event parked: user not resolved']);
    expect(logs.lines.find((line) => line.level === 'WARN')).toMatchObject({ customerId: other, reason: 'conflict' });
  });
});
