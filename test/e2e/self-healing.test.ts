import { AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { signedInAgain } from '../shipped/support';
import { call, checkoutAndPay, newUser, status, type User, useStack, type World } from './support';

/**
 * Every user path heals itself (issue 15, items 1-3): a lost UserProfiles row, a lost Entitlements row, or both,
 * are recreated from the sources of truth (the Cognito user; the Stripe customer carrying `metadata.cognito_sub`
 * and its subscriptions) by whichever route the user calls next: status, checkout, portal or the no-card trial.
 * Nothing is defaulted to free for a paying customer, and no second Stripe customer is created.
 */
const worldOf = useStack();

type Row = 'profile' | 'record';

async function lose(world: World, user: User, ...rows: Row[]): Promise<void> {
  const { ddb, tables } = world.stack.backend;
  for (const row of rows) {
    const command =
      row === 'profile'
        ? new DeleteCommand({ TableName: tables.userProfiles, Key: { userId: user.sub } })
        : new DeleteCommand({ TableName: tables.entitlements, Key: { cognito_sub: user.sub } });
    await ddb.send(command);
  }
}

async function rowsOf(world: World, user: User) {
  const { ddb, tables } = world.stack.backend;
  const [profile, record] = await Promise.all([
    ddb.send(new GetCommand({ TableName: tables.userProfiles, Key: { userId: user.sub } })),
    ddb.send(new GetCommand({ TableName: tables.entitlements, Key: { cognito_sub: user.sub } })),
  ]);
  return { profile: profile.Item, record: record.Item };
}

async function cognitoGroups(world: World, user: User): Promise<string[]> {
  const { cognitoClient } = world.stack.backend;
  const listed = await cognitoClient.send(
    new AdminListGroupsForUserCommand({ UserPoolId: world.stack.info.userPoolId, Username: user.sub }),
  );
  return (listed.Groups ?? []).map((group) => group.GroupName ?? '').sort();
}

async function customersOf(world: World, user: User): Promise<string[]> {
  const listed = await world.stripe.customers.list({ email: user.email, limit: 10 });
  return listed.data.map((customer) => customer.id);
}

const LOSSES: Row[][] = [['profile'], ['record'], ['profile', 'record']];

describe('a paying customer whose rows are lost', () => {
  for (const lost of LOSSES) {
    it(`status answers pro (not free) after losing ${lost.join(' and ')}, groups exactly [pro]`, async () => {
      // Prepare
      const world = worldOf();
      const user = await newUser(world, `heal-status-${lost.join('-')}`);
      await checkoutAndPay(world, user, 'pro');
      const token = await signedInAgain(world.stack, user.email);
      const { entitlementsVersion: _version, ...before } = await status(world, { ...user, idToken: token });
      await lose(world, user, ...lost);

      // Act
      const healed = await status(world, { ...user, idToken: token });

      // Assess
      expect(before).toMatchObject({ status: 'trialing', plan: 'pro', entitled: true, refreshTokens: false });
      expect(healed).toMatchObject(before);
      expect(await cognitoGroups(world, user)).toEqual(['pro']);
      const rows = await rowsOf(world, user);
      expect(rows.profile).toMatchObject({ email: user.email, stripeCustomerId: user.customerId });
      expect(rows.record).toMatchObject({ plan: 'pro', entitled: true, stripeCustomerId: user.customerId });
      expect(await customersOf(world, user)).toEqual([user.customerId]);
    });

    it(`checkout answers 409 already_subscribed (not 404/503/201) after losing ${lost.join(' and ')}`, async () => {
      // Prepare
      const world = worldOf();
      const user = await newUser(world, `heal-checkout-${lost.join('-')}`);
      await checkoutAndPay(world, user, 'pro');
      await lose(world, user, ...lost);

      // Act
      const second = await call(world.stack, 'POST', '/checkout/sessions', user.idToken, {
        plan: 'business',
        interval: 'month',
      });

      // Assess
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ error: { code: 'already_subscribed' } });
      expect(await customersOf(world, user)).toEqual([user.customerId]);
      const live = await world.stripe.subscriptions.list({ customer: user.customerId });
      expect(live.data).toHaveLength(1);
    });

    it(`the portal opens for the customer's own account after losing ${lost.join(' and ')}`, async () => {
      // Prepare
      const world = worldOf();
      const user = await newUser(world, `heal-portal-${lost.join('-')}`);
      await checkoutAndPay(world, user, 'pro');
      await lose(world, user, ...lost);

      // Act
      const portal = await call(world.stack, 'POST', '/billing/portal-sessions', user.idToken, {});

      // Assess
      expect(portal.status).toBe(201);
      expect((await rowsOf(world, user)).profile).toMatchObject({ stripeCustomerId: user.customerId });
      expect(await customersOf(world, user)).toEqual([user.customerId]);
    });

    it(`the no-card trial is refused as already subscribed after losing ${lost.join(' and ')}`, async () => {
      // Prepare
      const world = worldOf();
      const user = await newUser(world, `heal-trial-${lost.join('-')}`);
      await checkoutAndPay(world, user, 'pro');
      await lose(world, user, ...lost);

      // Act
      const trial = await call(world.stack, 'POST', '/subscription/trial', user.idToken, {});

      // Assess
      expect(trial.status).toBe(409);
      expect(trial.body).toMatchObject({ error: { code: 'already_subscribed' } });
      expect(await cognitoGroups(world, user)).toEqual(['pro']);
    });
  }
});

describe('a free user whose rows are lost', () => {
  it('checkout after losing both rows finds the customer by metadata.cognito_sub: no 503, no second customer', async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'heal-free-both');
    await lose(world, user, 'profile', 'record');

    // Act
    const checkout = await call(world.stack, 'POST', '/checkout/sessions', user.idToken, {
      plan: 'pro',
      interval: 'month',
    });

    // Assess
    expect(checkout.status).toBe(201);
    const session = await world.stripe.checkout.sessions.retrieve(String(checkout.body.id));
    expect(session.customer).toBe(user.customerId);
    expect(await customersOf(world, user)).toEqual([user.customerId]);
    expect(await status(world, user)).toMatchObject({ status: 'none', plan: 'free' });
  });
});
