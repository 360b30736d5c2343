import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CognitoGroupGateway } from '../../../../lambdas/adapters/cognito/cognito-groups';
import { DynamoAuditLog } from '../../../../lambdas/adapters/dynamo/audit-log';
import { DynamoEntitlementStore } from '../../../../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../../../../lambdas/adapters/dynamo/profile-store';
import { PlanCatalog } from '../../../../lambdas/domain/plan-catalog';
import {
  type EntitlementWriterDeps,
  recomputeEntitlementFromStripe,
  settlePendingAudit,
} from '../../../../lambdas/use-cases/webhook/recompute-entitlement';
import { signedRequest, stripeEvent, subscriptionObject } from '../../../fixtures/stripe/builders';
import { useEmulatorBackend } from '../../../support/backend';
import { useWebhookHandler } from './support';

/** The lost-audit-entry gap on dynalite: the entry rides in the Entitlements write and survives a failed put. */
describe('audit entries after a failed AuditLog put (dynalite + cognito-local)', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const { handle, newUser, record } = useWebhookHandler(backend, 'audit');
  const now = () => Math.floor(Date.now() / 1000);

  async function auditEntries(sub: string) {
    const { ddb, tables } = backend();
    const result = await ddb.send(
      new QueryCommand({
        TableName: tables.auditLog,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': sub },
      }),
    );
    return (result.Items ?? []).map((i) => `${i.eventId}:${i.oldPlan}->${i.newPlan}`);
  }

  const send = async (event: Record<string, unknown>) => (await handle(signedRequest(event))).statusCode;

  it('webhook: the redelivery after a failed put writes the one entry, even after a newer event', async () => {
    // Prepare: the state a failed AuditLog put leaves (Entitlements written, no entry, no ledger record, 500).
    const user = await newUser();
    const sub = (lookupKey: string, created: number) =>
      stripeEvent(
        'customer.subscription.updated',
        subscriptionObject({ customer: user.customerId, userSub: user.sub, periodStart: now() - 86400, lookupKey }),
        { created },
      );
    const first = sub('starter_monthly', now() - 20);
    expect(await send(first)).toBe(200);
    const { ddb, tables } = backend();
    const [entryId] = (await record(user.sub))?.pendingAudit?.map((e) => e.entryId) ?? [];
    await ddb.send(new DeleteCommand({ TableName: tables.auditLog, Key: { userId: user.sub, entryId } }));
    await ddb.send(new DeleteCommand({ TableName: tables.webhookEvents, Key: { eventId: first.id } }));
    const second = sub('pro_monthly', now() - 10);
    expect(await send(second)).toBe(200);

    // Act: Stripe's retry of the first event.
    expect(await send(first)).toBe(200);

    // Assess
    expect((await auditEntries(user.sub)).sort()).toEqual([`${first.id}:none->starter`, `${second.id}:starter->pro`]);
    expect(await record(user.sub)).toMatchObject({ plan: 'pro', entitlementsVersion: 2 });
  });

  it('reconcile: a put failing on the real table is recovered by the next pass, and the record is cleared', async () => {
    // Prepare: the AuditLog put fails for real (dynalite answers ResourceNotFoundException).
    const user = await newUser();
    const { ddb, tables, cognitoClient, userPool } = backend();
    const deps = (auditTable: string): EntitlementWriterDeps => ({
      entitlements: new DynamoEntitlementStore(ddb, tables.entitlements),
      profiles: new DynamoProfileStore(ddb, tables.userProfiles),
      groups: new CognitoGroupGateway(cognitoClient, userPool.userPoolId),
      audit: new DynamoAuditLog(ddb, auditTable),
      catalog: PlanCatalog.defaults(),
      policy: { gracePeriodDays: 7, paymentReversal: 'revoke' as const },
      clock: { now: () => new Date() },
    });
    const list = [subscriptionObject({ customer: user.customerId, userSub: user.sub, lookupKey: 'business_monthly' })];
    const repair = { sub: user.sub, stripeCustomerId: user.customerId, subscriptions: list };
    await expect(recomputeEntitlementFromStripe(deps('no-such-audit-table'), repair)).rejects.toThrow(/audit write/);
    expect((await record(user.sub))?.pendingAudit).toHaveLength(1);

    // Act: the next pass finds the entitlement right (nothing to write) and settles the pending entry.
    const next = await recomputeEntitlementFromStripe(deps(tables.auditLog), {
      ...repair,
      readAt: new Date(Date.now() + 3_600_000),
    });
    const settled = await settlePendingAudit(deps(tables.auditLog), user.sub);

    // Assess
    expect(next.changed).toBe(false);
    expect(settled).toBe('settled');
    expect(await auditEntries(user.sub)).toEqual([expect.stringMatching(/^reconcile:.*:none->business$/)]);
    const stored = await record(user.sub);
    expect(stored).toMatchObject({ plan: 'business', entitlementsVersion: 2 });
    expect(stored && 'pendingAudit' in stored).toBe(false);
    expect(await settlePendingAudit(deps(tables.auditLog), user.sub)).toBe('none');
  });
});
