import { AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { createEntitlementsClient, type EntitlementsClient } from '../../client/entitlements-client';
import { signedUpUser, uniqueEmail } from '../shipped/support';
import { advanceTo, call, drained, paidPro, status, type User, useStack, type World } from './support';

/**
 * Operator overrides (issue 16) through the local stack: an operator (a member of `admins`, its JWT from
 * cognito-local) grants and revokes through the typed client; Stripe's webhooks and reconcile runs keep the override;
 * the emulator's clock ends it and the Stripe state underneath returns; groups follow.
 */
const DAY = 86_400;
const iso = (epoch: number) => new Date(epoch * 1000).toISOString();
const worldOf = useStack();

async function operatorOf(world: World): Promise<{ api: EntitlementsClient; idToken: string }> {
  const operator = await signedUpUser(world.stack, uniqueEmail('override-operator'), { admin: true });
  const api = createEntitlementsClient({ baseUrl: world.stack.info.apiUrl, getToken: () => operator.idToken });
  return { api, idToken: operator.idToken };
}

async function groupsOf(world: World, user: User): Promise<string[]> {
  const out = await world.stack.backend.cognitoClient.send(
    new AdminListGroupsForUserCommand({ UserPoolId: world.stack.info.userPoolId, Username: user.sub }),
  );
  return (out.Groups ?? []).map((group) => String(group.GroupName)).sort();
}

async function reconcileApply(world: World, idToken: string, user: User) {
  const run = await call(world.stack, 'POST', '/admin/reconcile', idToken, { apply: true, user: user.sub });
  expect(run.status).toBe(200);
  await drained(world);
  return run.body as { report: { findings: { kind: string }[] } };
}

describe('an operator override through the local stack', () => {
  it('is kept by a webhook and a reconcile run, ends on the Stripe clock (Stripe state returns), then a revoke applies at once', async () => {
    // Prepare: a paying pro customer and an operator
    const world = worldOf();
    const { user, subscription } = await paidPro(world, 'override');
    const operator = await operatorOf(world);
    expect(await status(world, user)).toMatchObject({ plan: 'pro', source: 'stripe' });
    const endsAt = world.emulator.now() + 3 * DAY;

    // Act: grant enterprise for three days
    const granted = await operator.api.grantOverride({
      sub: user.sub,
      plan: 'enterprise',
      endsAt: iso(endsAt),
      reason: 'partner deal',
    });

    // Assess
    expect(granted).toMatchObject({ changed: true, override: { plan: 'enterprise', endsAt: iso(endsAt) } });
    expect(await status(world, user)).toMatchObject({
      plan: 'enterprise',
      source: 'override',
      overrideEndsAt: iso(endsAt),
      entitled: true,
    });
    expect(await groupsOf(world, user)).toEqual(['enterprise']);

    // Act: Stripe changes the subscription underneath (a webhook), then reconcile applies
    await world.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await drained(world);
    const afterWebhook = await status(world, user);
    const run = await reconcileApply(world, operator.idToken, user);

    // Assess: the override still wins; nothing was "repaired" away
    expect(afterWebhook).toMatchObject({ plan: 'enterprise', source: 'override' });
    expect(run.report.findings).toEqual([]);
    expect(await status(world, user)).toMatchObject({ plan: 'enterprise', source: 'override' });
    expect(await groupsOf(world, user)).toEqual(['enterprise']);

    // Act: Stripe time passes the override's end; reconcile takes it off the record
    await advanceTo(world, endsAt + 60);
    const ended = await status(world, user);
    await reconcileApply(world, operator.idToken, user);

    // Assess: the Stripe state kept beneath (pro, cancelling at the period end, with the webhook's change) is back
    expect(ended).toMatchObject({
      plan: 'pro',
      source: 'stripe',
      status: 'active',
      cancelAtPeriodEnd: true,
      overrideEndsAt: null,
    });
    expect(await status(world, user)).toMatchObject({ plan: 'pro', source: 'stripe', cancelAtPeriodEnd: true });
    expect(await groupsOf(world, user)).toEqual(['pro']);

    // Act: a new override until revoked, then the revoke
    await operator.api.grantOverride({ sub: user.sub, plan: 'business', reason: 'support gesture' });
    const during = await status(world, user);
    const groupsDuring = await groupsOf(world, user);
    const revoked = await operator.api.revokeOverride({ sub: user.sub, reason: 'gesture over' });

    // Assess: Stripe's state at once, groups with it
    expect(during).toMatchObject({ plan: 'business', source: 'override', overrideEndsAt: null });
    expect(groupsDuring).toEqual(['business']);
    expect(revoked).toMatchObject({ changed: true, override: null, status: { plan: 'pro', source: 'stripe' } });
    expect(await status(world, user)).toMatchObject({ plan: 'pro', source: 'stripe' });
    expect(await groupsOf(world, user)).toEqual(['pro']);
  });
});
