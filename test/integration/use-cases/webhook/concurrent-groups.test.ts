import { AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signedRequest, stripeEvent, subscriptionObject } from '../../../fixtures/stripe/builders';
import { useEmulatorBackend } from '../../../support/backend';
import { useWebhookHandler } from './support';

/**
 * Groups under concurrency (issue 15 item 6): concurrent deliveries for one user interleave their Cognito calls and
 * their records of the applied groups. Whatever the interleaving, once every delivery was answered 200 (a failed
 * one is redelivered, like Stripe), Cognito's real membership equals the record's groups and the record's applied
 * groups say so too.
 */
describe('concurrent deliveries for one user, against dynalite + cognito-local', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const { stripe, handle, newUser, record } = useWebhookHandler(backend, 'groups-race');
  const now = () => Math.floor(Date.now() / 1000);

  async function cognitoGroups(username: string): Promise<string[]> {
    const { cognitoClient, userPool } = backend();
    const result = await cognitoClient.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPool.userPoolId, Username: username }),
    );
    return (result.Groups ?? []).map((g) => g.GroupName ?? '').sort();
  }

  /** All at once, then what failed again (Stripe's later retries) until answered 200; returns what never was. */
  async function deliverConcurrently(events: Record<string, unknown>[]): Promise<unknown[]> {
    const answers = await Promise.all(events.map((event) => handle(signedRequest(event))));
    const pending: unknown[] = [];
    for (const [i, event] of events.entries()) {
      let status = answers[i]?.statusCode;
      for (let retry = 0; retry < 5 && status !== 200; retry += 1)
        status = (await handle(signedRequest(event))).statusCode;
      if (status !== 200) pending.push({ id: event.id, status });
    }
    return pending;
  }

  async function observe(user: { sub: string; username: string }) {
    const stored = await record(user.sub);
    return {
      plan: stored?.plan,
      groups: [...(stored?.groups ?? [])].sort(),
      cognito: await cognitoGroups(user.username),
      applied: [...(stored?.cognitoGroups ?? [])].sort(),
      unverified: stored?.cognitoGroupsUnverified ?? false,
    };
  }

  it('20 rounds of concurrent plan changes: Cognito membership == the record groups every time', async () => {
    const plans = ['starter_monthly', 'pro_monthly', 'business_monthly'];
    const outcomes: ({ round: number } & Awaited<ReturnType<typeof observe>>)[] = [];
    for (let round = 0; round < 20; round += 1) {
      // Prepare
      const user = await newUser();
      const t = now() - 60;
      const events = Array.from({ length: 6 }, (_, i) =>
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject({
            customer: user.customerId,
            userSub: user.sub,
            lookupKey: plans[(i + round) % 3],
            periodStart: now() - 86_400,
          }),
          { created: t + i },
        ),
      );

      // Act
      expect(await deliverConcurrently(events)).toEqual([]);

      // Assess (collected, asserted once for a readable failure)
      outcomes.push({ round, ...(await observe(user)) });
    }
    const wrong = outcomes.filter((o) => o.cognito.join() !== o.groups.join() || o.applied.join() !== o.groups.join());
    expect(wrong).toEqual([]);
    expect(outcomes.every((o, round) => o.plan === plans[(5 + round) % 3]?.replace('_monthly', ''))).toBe(true);
  }, 900_000);

  it('property: any concurrent burst of plan and status changes ends with Cognito == record == applied groups', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            plan: fc.constantFrom('starter_monthly', 'pro_monthly', 'business_monthly'),
            status: fc.constantFrom('active', 'trialing', 'past_due', 'canceled', 'unpaid'),
          }),
          { minLength: 2, maxLength: 7 },
        ),
        async (steps) => {
          // Prepare: distinct `created` seconds (the newest wins), Stripe's listing says the same as the newest
          const user = await newUser();
          const t = now() - 60;
          const last = steps[steps.length - 1];
          const subscription = (step: (typeof steps)[number]) =>
            subscriptionObject({
              customer: user.customerId,
              userSub: user.sub,
              lookupKey: step.plan,
              status: step.status,
              periodStart: now() - 86_400,
              ...(step.status === 'trialing' ? { trialEnd: now() + 7 * 86_400 } : {}),
            });
          if (last) stripe.subscriptions.set(user.customerId, [subscription(last)]);
          const events = steps.map((step, i) =>
            stripeEvent('customer.subscription.updated', subscription(step), { created: t + i }),
          );

          // Act
          const pending = await deliverConcurrently(events);

          // Assess
          expect(pending).toEqual([]);
          const seen = await observe(user);
          expect(seen.cognito).toEqual(seen.groups);
          expect(seen.applied).toEqual(seen.groups);
          expect(seen.unverified).toBe(false);
          const newest = await record(user.sub);
          expect(newest?.lastEventCreated).toBe(t + steps.length - 1);
        },
      ),
      { numRuns: 8 },
    );
  }, 900_000);
});
