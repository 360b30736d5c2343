import { beforeEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../../lambdas/domain/errors';
import { statusView } from '../../../../lambdas/domain/status-view';
import { type NormalisedEvent, normaliseEvent, parseEventEnvelope } from '../../../../lambdas/domain/stripe-events';
import type { AuditEntry } from '../../../../lambdas/ports/webhook-ports';
import { applyStripeEvent } from '../../../../lambdas/use-cases/webhook/apply-stripe-event';
import {
  recomputeEntitlementFromStripe,
  settlePendingAudit,
} from '../../../../lambdas/use-cases/webhook/recompute-entitlement';
import { stripeEvent, subscriptionObject } from '../../../fixtures/stripe/builders';
import { catalog, MemoryAudit, memoryDeps, NOW } from '../../../support/webhook-memory';

const T = Math.floor(NOW.getTime() / 1000) - 3600;
const SUB = 'sub-user-1';

/** An AuditLog whose next puts fail like a DynamoDB outage; counts every put attempt. */
class FlakyAudit extends MemoryAudit {
  failNext = 0;
  puts = 0;
  override async append(entry: AuditEntry) {
    this.puts += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new DependencyUnavailableError('dynamodb', 'audit write failed (test outage)');
    }
    await super.append(entry);
  }
}

describe('audit trail after an AuditLog put failure (pendingAudit on the Entitlements record)', () => {
  let memory: ReturnType<typeof memoryDeps>;
  let audit: FlakyAudit;
  const apply = (raw: Record<string, unknown>) => {
    const envelope = parseEventEnvelope(raw);
    const event = normaliseEvent(envelope as typeof envelope & { type: NormalisedEvent['type'] });
    return applyStripeEvent(memory.deps, event, JSON.stringify(raw));
  };
  const subEvent = (type: string, options: Parameters<typeof subscriptionObject>[0], created: number, id: string) =>
    stripeEvent(`customer.subscription.${type}`, subscriptionObject(options), { created, id });
  const record = () => memory.entitlements.items.get(SUB);
  const transitions = () => audit.forUser(SUB).map((e) => `${e.eventId}:${e.oldStatus}->${e.newStatus}`);

  beforeEach(() => {
    audit = new FlakyAudit();
    memory = memoryDeps({ audit });
    memory.profiles.add(SUB, 'cus_base');
  });

  it('a failed put answers an error, and the redelivery writes exactly that one entry', async () => {
    // Prepare
    const created = subEvent('created', { status: 'trialing', trialEnd: T + 14 * 86400 }, T, 'evt_a');
    audit.failNext = 1;
    await expect(apply(created)).rejects.toThrow(/audit write failed/);
    expect(record()).toMatchObject({ status: 'trialing', entitlementsVersion: 1 });
    expect(record()?.pendingAudit?.map((e) => e.eventId)).toEqual(['evt_a']);
    expect(transitions()).toEqual([]);

    // Act: Stripe redelivers, then delivers a duplicate.
    const retried = await apply(created);
    await apply(created);

    // Assess
    expect(retried).toMatchObject({ kind: 'applied', changed: false });
    expect(transitions()).toEqual(['evt_a:none->trialing']);
    expect(audit.forUser(SUB)[0]).toEqual(record()?.pendingAudit?.[0]);
    expect(record()?.entitlementsVersion).toBe(1);
  });

  it('keeps the failed entry when another event writes before the redelivery', async () => {
    // Prepare: evt_a's put fails, evt_b (newer) applies before Stripe retries evt_a.
    audit.failNext = 1;
    await expect(apply(subEvent('created', { status: 'trialing', trialEnd: T + 86400 }, T, 'evt_a'))).rejects.toThrow();
    await apply(subEvent('updated', { status: 'active' }, T + 1, 'evt_b'));
    expect(transitions()).toEqual(['evt_b:trialing->active']);
    expect(record()?.pendingAudit?.map((e) => e.eventId)).toEqual(['evt_a', 'evt_b']);

    // Act
    await apply(subEvent('created', { status: 'trialing', trialEnd: T + 86400 }, T, 'evt_a'));

    // Assess
    expect(transitions()).toEqual(['evt_a:none->trialing', 'evt_b:trialing->active']);
  });

  it('writes no entry for a change whose conditional write did not happen', async () => {
    // Prepare: the Entitlements write fails (outage) before anything is stored.
    memory.entitlements.writeIfVersion = async () => {
      throw new DependencyUnavailableError('dynamodb', 'entitlement write failed (test outage)');
    };

    // Act
    await expect(apply(subEvent('created', {}, T, 'evt_a'))).rejects.toThrow(/entitlement write failed/);

    // Assess
    expect(record()).toBeUndefined();
    expect(audit.puts).toBe(0);
    expect(transitions()).toEqual([]);
  });

  it('costs no extra request in the common path: one read, one write, one put per audited change', async () => {
    // Prepare
    await apply(subEvent('created', { status: 'trialing', trialEnd: T + 86400 }, T, 'evt_a'));
    const before = { get: memory.entitlements.calls.get, write: memory.entitlements.calls.write, puts: audit.puts };

    // Act: an audited change, then a renewal (no audit), carrying the earlier pending entries forward.
    await apply(subEvent('updated', { status: 'active' }, T + 1, 'evt_b'));
    await apply(subEvent('updated', { status: 'active', periodEnd: T + 40 * 86400 }, T + 2, 'evt_c'));

    // Assess
    expect(memory.entitlements.calls.get - before.get).toBe(2);
    expect(memory.entitlements.calls.write - before.write).toBe(2);
    expect(audit.puts - before.puts).toBe(1);
    expect(record()?.pendingAudit?.map((e) => e.eventId)).toEqual(['evt_a', 'evt_b']);
  });

  it('reconcile: a repair whose put failed is recorded by the next pass, which then clears the record', async () => {
    // Prepare
    const list = [subscriptionObject({ id: 'sub_a', lookupKey: 'business_monthly' })];
    audit.failNext = 1;
    // Each pass is its own change (`reconcile:<read time>`): the next pass finds nothing left to write.
    const repair = (readAt: Date) =>
      recomputeEntitlementFromStripe(memory.deps, {
        sub: SUB,
        stripeCustomerId: 'cus_base',
        subscriptions: list,
        readAt,
      });
    await expect(repair(NOW)).rejects.toThrow(/audit write failed/);
    expect(await repair(new Date(NOW.getTime() + 3_600_000))).toMatchObject({ changed: false });
    expect(transitions()).toEqual([]);

    // Act
    const first = await settlePendingAudit(memory.deps, SUB);
    const second = await settlePendingAudit(memory.deps, SUB);

    // Assess
    expect([first, second]).toEqual(['settled', 'none']);
    expect(audit.forUser(SUB).map((e) => `${e.oldPlan}->${e.newPlan}`)).toEqual(['none->business']);
    expect(record()).toMatchObject({ plan: 'business', entitlementsVersion: 2 });
    expect(record()?.pendingAudit).toBeUndefined();
  });

  it('settling a record another write changed meanwhile leaves that write in place', async () => {
    // Prepare
    await apply(subEvent('created', {}, T, 'evt_a'));
    const realGet = memory.entitlements.get.bind(memory.entitlements);
    memory.entitlements.get = async (sub: string) => {
      memory.entitlements.get = realGet;
      const read = await realGet(sub);
      await apply(subEvent('updated', { lookupKey: 'pro_monthly' }, T + 1, 'evt_b'));
      return read;
    };

    // Act
    const outcome = await settlePendingAudit(memory.deps, SUB);

    // Assess
    expect(outcome).toBe('conflict');
    expect(record()).toMatchObject({ plan: 'pro', lastEventId: 'evt_b' });
    expect(record()?.pendingAudit?.map((e) => e.eventId)).toEqual(['evt_a', 'evt_b']);
  });

  it('bounds the pending entries: past the cap the oldest are re-put and dropped', async () => {
    // Prepare: 12 audited transitions, alternating trialing/active, never settled.
    for (let i = 0; i < 12; i += 1) {
      const status = i % 2 === 0 ? 'trialing' : 'active';
      await apply(subEvent('updated', { status, trialEnd: T + 86400 }, T + i, `evt_${i}`));
    }

    // Assess
    expect(record()?.pendingAudit).toHaveLength(10);
    expect(record()?.pendingAudit?.[0]?.eventId).toBe('evt_2');
    expect(audit.forUser(SUB)).toHaveLength(12);
  });

  it('the status answer never carries pendingAudit', async () => {
    // Prepare
    audit.failNext = 1;
    await expect(apply(subEvent('created', {}, T, 'evt_a'))).rejects.toThrow();
    const stored = record();
    if (!stored) throw new Error('record expected');

    // Act
    const view = statusView(stored, [], catalog, NOW);

    // Assess
    expect(stored.pendingAudit).toHaveLength(1);
    expect(JSON.stringify(view)).not.toMatch(/pendingAudit|evt_a/);
  });
});
