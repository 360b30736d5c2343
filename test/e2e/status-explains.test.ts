import { describe, expect, it } from 'vitest';
import { signedUpUser, uniqueEmail } from '../shipped/support';
import { useLogCapture } from '../support/logs';
import { advanceTo, call, newUser, status, useStack } from './support';

/**
 * A status that explains itself (issue 14): an expired no-card trial reads `expired` with its end date, on the status
 * route with time applied at read, and still after reconcile has rewritten the record (it moved the user back to
 * the free group). Revoked access (`revoked` with `revokedReason`) is asserted in refunds-disputes.test.ts.
 */
const worldOf = useStack();
const logs = useLogCapture();

describe('an expired no-card trial', () => {
  it('reads expired with its end date, before and after reconcile repairs the record and the group', async () => {
    // Prepare
    const world = worldOf();
    const user = await newUser(world, 'expired-trial');
    const started = await call(world.stack, 'POST', '/subscription/trial', user.idToken, {});
    const trialEndsAt = String(started.body.trialEndsAt);
    const operator = await signedUpUser(world.stack, uniqueEmail('status-operator'), { admin: true });

    // Act
    await advanceTo(world, Math.ceil(Date.parse(trialEndsAt) / 1000) + 60);
    const atRead = await status(world, user);
    const repaired = await call(world.stack, 'POST', '/admin/reconcile', operator.idToken, {
      apply: true,
      user: user.sub,
    });
    const afterReconcile = await status(world, user);

    // Assess
    expect(started.status).toBe(201);
    expect(atRead).toMatchObject({ status: 'expired', entitled: false, plan: 'free', trialEndsAt });
    expect(repaired.status).toBe(200);
    expect(afterReconcile).toMatchObject({
      status: 'expired',
      entitled: false,
      plan: 'free',
      trialEndsAt,
      groups: ['free'],
    });
    expect(logs.metrics).toContainEqual(expect.objectContaining({ service: 'reconcile', ReconcileRepairsApplied: 2 }));
  });
});
