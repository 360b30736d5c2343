import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { call, signedUpUser } from '../shipped/support';
import { useStack } from './support';

/**
 * One clock on the local stack: the handlers read the Stripe emulator's time (EMULATOR_CLOCK_URL), so advancing it
 * ends the no-card trial for the status route exactly as the passing of real days would.
 */
const worldOf = useStack();
let stack: LocalStack;
beforeAll(() => {
  stack = worldOf().stack;
});

describe('the handlers follow the emulator clock', () => {
  it('a no-card trial reads as running, then expired once Stripe time passes its end', async () => {
    // Prepare
    const user = await signedUpUser(stack, `clock-${process.pid}-${Date.now()}@example.com`);
    const started = await call(stack, 'POST', '/subscription/trial', user.idToken, {});
    const trialEndsAt = Date.parse(String(started.body.trialEndsAt));

    // Act
    const during = await call(stack, 'GET', '/subscription/status', user.idToken);
    const advanced = await fetch(`${stack.info.stripeApiBase}/_emulator/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.info.stripeSecretKey}` },
      body: JSON.stringify({ to: Math.ceil(trialEndsAt / 1000) + 60 }),
    });
    const after = await call(stack, 'GET', '/subscription/status', user.idToken);

    // Assess
    expect(started.status).toBe(201);
    expect(during.body).toMatchObject({ plan: 'trial', entitled: true });
    expect(advanced.status).toBe(200);
    expect(after.body).toMatchObject({ status: 'expired', entitled: false });
  });
});
