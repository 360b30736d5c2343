import { SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, runJourney } from '../../local/journey';
import type { LocalStack } from '../../local/stack';
import { useStack } from './support';

/**
 * The whole product on the local stack, in-process on free ports: the same handlers as in AWS behind the local
 * gateway, cognito-local calling our triggers, the Stripe emulator delivering signed webhooks.
 */
const worldOf = useStack();
let stack: LocalStack;
beforeAll(() => {
  stack = worldOf().stack;
});

const uniqueEmail = (tag: string) => `${tag}-${process.pid}-${Date.now()}@example.com`;

async function webhookLedgerSize(): Promise<number> {
  const out = await stack.backend.ddb.send(
    new ScanCommand({ TableName: stack.info.tables.webhookEvents, Select: 'COUNT' }),
  );
  return out.Count ?? 0;
}

describe('local stack e2e', () => {
  it('runs the journey: sign up -> customer -> none -> checkout pro -> pay -> active/pro -> failed renewal (past_due) -> retry paid -> partial refund -> cancel -> canceled/free', async () => {
    // Act
    const result = await runJourney(stack.info, { email: uniqueEmail('journey') });

    // Assess
    expect(result.stripeCustomerId).toMatch(/^cus_/);
    expect(result.statuses.initial).toMatchObject({ status: 'none', entitled: false });
    expect(result.statuses.afterPayment).toMatchObject({ status: 'active', plan: 'pro', entitled: true });
    expect(result.statuses.afterPayment.groups).toContain('pro');
    expect(result.statuses.afterFailedRenewal).toMatchObject({ status: 'past_due', plan: 'pro', entitled: true });
    expect(result.statuses.afterRetry).toMatchObject({ status: 'active', plan: 'pro', entitled: true });
    expect(result.statuses.afterRefund).toMatchObject({ status: 'active', plan: 'pro', entitled: true });
    expect(result.refund.amount).toBeGreaterThan(0);
    expect(result.statuses.afterCancelRequest).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    expect(result.statuses.final).toMatchObject({ status: 'canceled', plan: 'free', entitled: false });
    expect(result.statuses.final.groups).toEqual(['free']);
    expect(result.cognitoGroups.afterPayment).toContain('pro');
    expect(result.cognitoGroups.final).toEqual(['free']);
    expect(stack.stripe?.deliveries().filter((d) => d.status !== 'delivered')).toEqual([]);
  });

  it("runs the same journey under Stripe's delivery freedoms: events shuffled within a window, half delivered twice", async () => {
    // Prepare: https://docs.stripe.com/webhooks#event-ordering (no order guaranteed, at least once)
    stack.stripe?.setDeliveryRealism({ order: 'shuffle', windowMs: 30, duplicateRate: 0.5, seed: 11 });

    // Act
    const result = await runJourney(stack.info, { email: uniqueEmail('shuffled') }).finally(() =>
      stack.stripe?.setDeliveryRealism({ order: 'per-customer', duplicateRate: 0 }),
    );

    // Assess
    expect(result.statuses.afterFailedRenewal).toMatchObject({ status: 'past_due', plan: 'pro' });
    expect(result.statuses.final).toMatchObject({ status: 'canceled', plan: 'free', entitled: false });
    expect(stack.stripe?.deliveries().filter((d) => d.duplicate).length).toBeGreaterThan(0);
  });

  it('rejects a second sign-up with the same email in another case', async () => {
    // Prepare
    const email = uniqueEmail('twice');
    const signUp = (address: string) =>
      stack.backend.cognitoClient.send(
        new SignUpCommand({
          ClientId: stack.info.userPoolClientId,
          Username: address,
          Password: DEMO_PASSWORD,
          UserAttributes: [{ Name: 'email', Value: address }],
        }),
      );
    await signUp(email);

    // Act
    const second = signUp(email.toUpperCase());

    // Assess
    await expect(second).rejects.toThrow(/An account with this email already exists/);
  });

  it('answers 400 to a webhook with a bad signature and records nothing', async () => {
    // Prepare
    const payload = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'customer.subscription.deleted',
      created: 1,
      data: { object: {} },
    });
    const forged = new Stripe('sk_test_x').webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_not_the_stack_secret',
    });
    const before = await webhookLedgerSize();

    // Act
    const badSignature = await fetch(`${stack.info.apiUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': forged },
      body: payload,
    });
    const noSignature = await fetch(`${stack.info.apiUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });

    // Assess
    expect(badSignature.status).toBe(400);
    expect(noSignature.status).toBe(400);
    expect(await webhookLedgerSize()).toBe(before);
  });

  it('answers 401 to the status route without a token', async () => {
    // Act
    const response = await fetch(`${stack.info.apiUrl}/subscription/status`);

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
