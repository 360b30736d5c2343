import { beforeEach, describe, expect, it } from 'vitest';
import { CodedInvalidInputError, CodedNotFoundError } from '../../../../lambdas/domain/coded-errors';
import { initialEntitlementRecord } from '../../../../lambdas/domain/entitlement';
import { computeEntitlement } from '../../../../lambdas/domain/entitlement-policy';
import { currentEntitlement } from '../../../../lambdas/domain/trial';
import { grantOverride, revokeOverride } from '../../../../lambdas/use-cases/entitlement/manage-override';
import { catalog, memoryDeps, NOW } from '../../../support/webhook-memory';
import { policy, snapshot } from '../../domain/subscription-fixtures';

const SUB = 'user-1';
const operator = { sub: 'op-1', email: 'op@example.com' };
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

/** A pro subscriber (active, period 2026-01-01..31) in the pro group. */
function seed() {
  const memory = memoryDeps();
  const sub = snapshot({});
  const record = {
    ...initialEntitlementRecord(catalog, { sub: SUB, cognitoUsername: 'user-1', stripeCustomerId: 'cus_1' }, NOW),
    ...computeEntitlement([sub], catalog, NOW, policy),
    subscriptions: { [sub.id]: sub },
    subscriptionIds: [sub.id],
    cognitoGroups: ['pro'],
  };
  memory.entitlements.items.set(SUB, record);
  memory.groups.members.set('user-1', new Set(['pro']));
  return memory;
}

describe('grantOverride / revokeOverride', () => {
  let memory: ReturnType<typeof seed>;
  beforeEach(() => {
    memory = seed();
  });

  it('grants: the override wins, the Stripe state is kept beneath, groups follow, one audit entry with who and why', async () => {
    // Act
    const result = await grantOverride(memory.deps, {
      sub: SUB,
      plan: 'business',
      endsAt: inDays(5).toISOString(),
      reason: ' partner deal ',
      operator,
    });

    // Assess
    expect(result).toMatchObject({ changed: true, status: { plan: 'business', source: 'override' } });
    expect(result.status.overrideEndsAt).toBe(inDays(5).toISOString());
    const stored = memory.entitlements.items.get(SUB);
    expect(stored).toMatchObject({
      plan: 'business',
      override: { plan: 'business', reason: 'partner deal', operator },
    });
    expect(stored?.beneath).toMatchObject({ plan: 'pro', status: 'active', entitled: true });
    expect(memory.groups.groupsOf('user-1')).toEqual(['business']);
    expect(memory.audit.forUser(SUB)).toEqual([
      expect.objectContaining({
        eventType: 'override.granted',
        oldPlan: 'pro',
        newPlan: 'business',
        operatorSub: 'op-1',
        operatorEmail: 'op@example.com',
        reason: 'partner deal',
        overrideEndsAt: inDays(5).toISOString(),
      }),
    ]);
  });

  it('after its end date, reads show the Stripe state again without any write', async () => {
    // Prepare
    await grantOverride(memory.deps, {
      sub: SUB,
      plan: 'business',
      endsAt: inDays(5).toISOString(),
      reason: 'x',
      operator,
    });
    const writes = memory.entitlements.calls.write;

    // Act
    const record = memory.entitlements.items.get(SUB);
    if (!record) throw new Error('fixture');
    const later = currentEntitlement(record, catalog, inDays(6));

    // Assess
    expect(later).toMatchObject({ plan: 'pro', status: 'active', entitled: true });
    expect(memory.entitlements.calls.write).toBe(writes);
  });

  it('revokes: the Stripe state at once, the override gone, audited', async () => {
    // Prepare
    await grantOverride(memory.deps, { sub: SUB, plan: 'enterprise', reason: 'support', operator });

    // Act
    const result = await revokeOverride(memory.deps, { sub: SUB, reason: 'ended early', operator });

    // Assess
    expect(result).toMatchObject({ changed: true, override: null, status: { plan: 'pro', source: 'stripe' } });
    expect(memory.entitlements.items.get(SUB)?.override).toBeUndefined();
    expect(memory.entitlements.items.get(SUB)?.beneath).toBeUndefined();
    expect(memory.groups.groupsOf('user-1')).toEqual(['pro']);
    expect(memory.audit.forUser(SUB).map((e) => [e.eventType, e.newPlan, e.reason])).toEqual([
      ['override.granted', 'enterprise', 'support'],
      ['override.revoked', 'pro', 'ended early'],
    ]);
  });

  it('a revoke without an override changes and audits nothing', async () => {
    const result = await revokeOverride(memory.deps, { sub: SUB, operator });
    expect(result).toMatchObject({ changed: false, override: null, status: { plan: 'pro' } });
    expect(memory.entitlements.calls.write).toBe(0);
    expect(memory.audit.entries.size).toBe(0);
  });

  it('an override of the plan Stripe already gives is still recorded and audited', async () => {
    const result = await grantOverride(memory.deps, { sub: SUB, plan: 'pro', reason: 'keep pro', operator });
    expect(result.status).toMatchObject({ plan: 'pro', source: 'override' });
    expect(memory.audit.forUser(SUB).map((e) => e.eventType)).toEqual(['override.granted']);
  });

  it.each([
    ['unknown plan', { plan: 'platinum', reason: 'x' }, 'unknown_plan'],
    ['end date in the past', { plan: 'pro', reason: 'x', endsAt: inDays(-1).toISOString() }, 'end_date_in_past'],
    ['end date now', { plan: 'pro', reason: 'x', endsAt: NOW.toISOString() }, 'end_date_in_past'],
    ['missing reason', { plan: 'pro' }, 'reason_required'],
    ['blank reason', { plan: 'pro', reason: '   ' }, 'reason_required'],
  ])('refuses %s with its code and writes nothing', async (_name, input, code) => {
    // Act
    const attempt = grantOverride(memory.deps, { sub: SUB, operator, ...input });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(CodedInvalidInputError);
    await expect(attempt).rejects.toMatchObject({ code });
    expect(memory.entitlements.calls.write).toBe(0);
    expect(memory.audit.entries.size).toBe(0);
  });

  it('refuses an unknown user with user_not_found', async () => {
    const attempt = grantOverride(memory.deps, { sub: 'nobody', plan: 'pro', reason: 'x', operator });
    await expect(attempt).rejects.toBeInstanceOf(CodedNotFoundError);
    await expect(revokeOverride(memory.deps, { sub: 'nobody', operator })).rejects.toMatchObject({
      code: 'user_not_found',
    });
  });
});
