import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { trialUsedMarkKey } from '../../lambdas/domain/account-deletion';
import { signedUpUser, uniqueEmail } from '../shipped/support';
import { call, checkoutAndPay, status, useStack, type World } from './support';

/**
 * One trial per identity across accounts (issue 14): deleting an account leaves the email's trial-used mark
 * (AuditLog `email#sha256:<hash>` / `trial-used`); the start-trial and checkout functions read it through the
 * TrialMarkStore port, so the same address signed up again gets neither the no-card trial nor a Stripe trial, even when
 * its new Entitlements row is missing (Post-Confirmation stopped part-way) and only the mark knows.
 */
const worldOf = useStack();

/** Signs up through the triggers and signs in; the routes under test need only the token. */
async function signedUp(world: World, email: string) {
  const user = await signedUpUser(world.stack, email);
  return { ...user, email, customerId: '' };
}

describe('the email trial-used mark after an account deletion', () => {
  it('refuses the no-card trial (409 trial_already_used, also without an Entitlements row) and checkout omits the trial', async () => {
    // Prepare: an account that used the no-card trial, deleted by its user
    const world = worldOf();
    const { ddb } = world.stack.backend;
    const { tables } = world.stack.info;
    const email = uniqueEmail('trial-mark');
    const first = await signedUp(world, email);
    expect((await call(world.stack, 'POST', '/subscription/trial', first.idToken, {})).status).toBe(201);
    expect((await call(world.stack, 'DELETE', '/account', first.idToken)).status).toBe(200);
    await world.emulator.drainWebhooks();
    const mark = await ddb.send(new GetCommand({ TableName: tables.auditLog, Key: trialUsedMarkKey(email) }));

    // Act: the same address signs up again
    const again = await signedUp(world, email.toUpperCase());
    const trial = await call(world.stack, 'POST', '/subscription/trial', again.idToken, {});
    await ddb.send(new DeleteCommand({ TableName: tables.entitlements, Key: { cognito_sub: again.sub } }));
    const trialWithoutRow = await call(world.stack, 'POST', '/subscription/trial', again.idToken, {});
    const rowAfterRefusal = await ddb.send(
      new GetCommand({ TableName: tables.entitlements, Key: { cognito_sub: again.sub } }),
    );
    const healed = await status(world, again);
    const bought = await checkoutAndPay(world, again, 'pro');

    // Assess
    expect(mark.Item).toMatchObject({ entryId: 'trial-used' });
    expect(JSON.stringify(mark.Item)).not.toContain(email);
    expect(again.sub).not.toBe(first.sub);
    expect(trial).toMatchObject({ status: 409, body: { error: { code: 'trial_already_used' } } });
    expect(trialWithoutRow).toMatchObject({ status: 409, body: { error: { code: 'trial_already_used' } } });
    // The route heals the lost row from Stripe before it decides (issue 15): free, no trial granted by the refusal.
    expect(rowAfterRefusal.Item).toMatchObject({ status: 'none', plan: 'free', entitled: false, trialEndsAt: null });
    expect(healed).toMatchObject({ status: 'none', entitled: false });
    expect(bought).toMatchObject({ status: 'active', trial_end: null });
    expect(await status(world, again)).toMatchObject({ status: 'active', plan: 'pro', entitled: true });
  });
});
