import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoEntitlementStore } from '../../../../lambdas/adapters/dynamo/entitlement-store';
import { handlerFromEnv } from '../../../../lambdas/handlers/stripe-webhook';
import { reconcile } from '../../../../lambdas/use-cases/reconcile/reconcile';
import { signedRequest, TEST_WEBHOOK_SECRET } from '../../../fixtures/stripe/builders';
import { linkedUser, managedGroupsOf, stores, subscribe, useReconcileWorld } from './support';

const world = useReconcileWorld();

/**
 * Issue 15 item 7: reconcile lists Stripe, then repairs; a webhook that lands in between is newer than the listing
 * and must survive the repair. DynamoDB is slowed with a wrapper around the document client: the repair's read of
 * the record is answered, then held while the user's cancellation is delivered, so the repair works from a record
 * older than the one it writes against.
 */
describe('reconcile racing a webhook, against dynalite, cognito-local and the Stripe emulator', () => {
  it('a cancellation delivered while the repair is in flight survives, and is reported as changed during the run', async () => {
    // Prepare: a paying user whose subscription webhook was missed (record free, Stripe pro): reconcile plans a
    // recompute from its listing.
    const w = world();
    const user = await linkedUser(w, 'race');
    const subscriptionId = await subscribe(w, user.customer, 'pro_monthly');
    const webhook = handlerFromEnv({
      ...w.env,
      STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    });
    const deliverCancellation = async () => {
      await w.stripe.client().subscriptions.cancel(subscriptionId);
      const deleted = w.stripe
        .events()
        .filter((e) => e.type === 'customer.subscription.deleted')
        .find((e) => (e.data.object as { id?: string }).id === subscriptionId);
      if (!deleted) throw new Error('the emulator emitted no customer.subscription.deleted');
      const answer = await webhook(signedRequest(deleted as unknown as Record<string, unknown>));
      expect(answer.statusCode).toBe(200);
    };

    // The slowed document client (given to the repair's entitlement store only: the run's bulk read scans with its
    // own): the repair's first read of this user's record is held until the webhook landed.
    const { ddb, tables } = w.backend;
    let held = false;
    const slowDdb = new Proxy(ddb, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: unknown) => {
          const result = await target.send(command as GetCommand);
          const input = command instanceof GetCommand ? command.input : undefined;
          if (!held && input?.TableName === tables.entitlements && input.Key?.cognito_sub === user.sub) {
            held = true;
            await deliverCancellation();
          }
          return result;
        };
      },
    });
    const deps = await w.deps();
    const slowEntitlements = new DynamoEntitlementStore(slowDdb, tables.entitlements);

    // Act
    const report = await reconcile({ ...deps, entitlements: slowEntitlements }, { apply: true, trigger: 'cli' });

    // Assess: the run planned the repair, the cancellation landed during it, and it is not undone
    expect(held).toBe(true);
    expect(report.findings.map((f) => f.kind)).toContain('entitlement-mismatch');
    const stored = await stores(w).entitlements.get(user.sub);
    expect(stored).toMatchObject({ entitled: false, plan: 'free' });
    expect(stored?.status).toBe('canceled');
    expect(report.repairs.failures).toEqual([]);
    expect(report.changedDuringRun).toEqual([user.sub]);
    expect(await managedGroupsOf(w, user.username)).toEqual(['free']);
  });
});
