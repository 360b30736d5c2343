import { beforeEach, describe, expect, it } from 'vitest';
import { applyRereadingEveryEvent } from '../../../../bench/baseline';
import { initialEntitlementRecord } from '../../../../lambdas/domain/entitlement';
import { type NormalisedEvent, normaliseEvent, parseEventEnvelope } from '../../../../lambdas/domain/stripe-events';
import { createStripeWebhookHandler } from '../../../../lambdas/handlers/stripe-webhook';
import { applyStripeEvent } from '../../../../lambdas/use-cases/webhook/apply-stripe-event';
import { recomputeEntitlementFromStripe } from '../../../../lambdas/use-cases/webhook/recompute-entitlement';
import {
  retryAllParkedEvents,
  retryParkedEventsForCustomer,
} from '../../../../lambdas/use-cases/webhook/retry-parked-events';
import { filterPatternOf, LOG_SIGNALS } from '../../../../lib/log-signals';
import {
  chargeObject,
  checkoutSessionObject,
  customerObject,
  disputeObject,
  invoiceObject,
  signedRequest,
  stripeEvent,
  subscriptionObject,
} from '../../../fixtures/stripe/builders';
import { MemoryAccountTombstoneStore } from '../../../support/fakes/account-tombstone-store';
import { jsonFilterMatches } from '../../../support/log-filter';
import { useLogCapture } from '../../../support/logs';
import { memoryDeps, NOW } from '../../../support/webhook-memory';

const T = Math.floor(NOW.getTime() / 1000) - 3600;

function normalised(event: Record<string, unknown>): { event: NormalisedEvent; payload: string } {
  const envelope = parseEventEnvelope(event);
  return {
    event: normaliseEvent(envelope as typeof envelope & { type: NormalisedEvent['type'] }),
    payload: JSON.stringify(event),
  };
}

describe('applyStripeEvent', () => {
  let memory: ReturnType<typeof memoryDeps>;
  const apply = (raw: Record<string, unknown>, options = {}) => {
    const { event, payload } = normalised(raw);
    return applyStripeEvent(memory.deps, event, payload, options);
  };
  const subEvent = (type: string, options: Parameters<typeof subscriptionObject>[0], created: number, id?: string) =>
    stripeEvent(`customer.subscription.${type}`, subscriptionObject(options), { created, id });
  const record = () => memory.entitlements.items.get('sub-user-1');

  beforeEach(() => {
    memory = memoryDeps();
    memory.profiles.add('sub-user-1', 'cus_base');
  });

  it('uses a strictly newer payload with zero Stripe calls', async () => {
    await apply(subEvent('created', { status: 'trialing', trialEnd: T + 14 * 86400 }, T));
    const outcome = await apply(subEvent('updated', { status: 'active' }, T + 1));
    expect(outcome).toMatchObject({ kind: 'applied', changed: true, stripeReads: 0 });
    expect(record()).toMatchObject({ status: 'active', lastEventCreated: T + 1, entitlementsVersion: 2 });
    expect(memory.stripe.total()).toBe(0);
  });

  it('ignores an older event', async () => {
    await apply(subEvent('updated', { status: 'canceled' }, T + 5));
    const outcome = await apply(subEvent('updated', { status: 'active' }, T + 1));
    expect(outcome).toMatchObject({ kind: 'applied', changed: false });
    expect(record()).toMatchObject({ status: 'canceled', entitled: false, entitlementsVersion: 1 });
  });

  it('re-reads Stripe on a same-second tie and applies its answer', async () => {
    memory.stripe.subscriptions.set('cus_base', [subscriptionObject({ status: 'active', lookupKey: 'pro_monthly' })]);
    await apply(subEvent('updated', { status: 'active', lookupKey: 'starter_monthly' }, T));

    const outcome = await apply(subEvent('updated', { status: 'incomplete', lookupKey: 'pro_monthly' }, T));

    expect(outcome).toMatchObject({ kind: 'applied', changed: true, stripeReads: 1 });
    expect(record()).toMatchObject({ plan: 'pro', status: 'active' });
    expect(memory.groups.groupsOf('user-sub-user-1')).toEqual(['pro']);
  });

  it('re-reads every time with the benchmark baseline (bench/baseline.ts), the shipped step never on a newer event', async () => {
    memory.stripe.subscriptions.set('cus_base', [subscriptionObject({ status: 'active' })]);
    const { event, payload } = normalised(subEvent('updated', { status: 'past_due' }, T));
    const outcome = await applyRereadingEveryEvent(memory.deps, event, payload);
    expect(outcome).toMatchObject({ stripeReads: 1 });
    expect(record()?.status).toBe('active');

    const shipped = normalised(subEvent('updated', { status: 'past_due' }, T + 1));
    expect(await applyStripeEvent(memory.deps, shipped.event, shipped.payload)).toMatchObject({ stripeReads: 0 });
    expect(record()?.status).not.toBe('active'); // the payload was applied, not Stripe's list
  });

  it('keeps two subscriptions independent: a late cancel of one keeps the other', async () => {
    await apply(subEvent('created', { id: 'sub_a', lookupKey: 'pro_monthly' }, T));
    await apply(subEvent('created', { id: 'sub_b', lookupKey: 'starter_monthly' }, T + 1));
    await apply(subEvent('deleted', { id: 'sub_a', status: 'canceled', lookupKey: 'pro_monthly' }, T + 2));
    expect(record()).toMatchObject({ plan: 'starter', entitled: true, subscriptionIds: ['sub_a', 'sub_b'] });
    expect(memory.groups.groupsOf('user-sub-user-1')).toEqual(['starter']);
  });

  it('audits old -> new plan/status and the group change once per event', async () => {
    await apply(subEvent('created', { lookupKey: 'starter_monthly' }, T));
    const upgrade = subEvent('updated', { lookupKey: 'pro_monthly' }, T + 1);
    await apply(upgrade);
    await apply(upgrade);
    const entries = memory.audit.forUser('sub-user-1');
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      oldPlan: 'starter',
      newPlan: 'pro',
      groupsAdded: ['pro'],
      groupsRemoved: ['starter'],
      eventType: 'customer.subscription.updated',
    });
  });

  it('syncs groups on a retry even when the event itself changes nothing', async () => {
    memory.groups.failNext = 1;
    const event = subEvent('created', {}, T);
    await expect(apply(event)).rejects.toThrow(/cognito/);
    expect(record()).toMatchObject({ groups: ['starter'], cognitoGroups: [] });

    const outcome = await apply(event);

    expect(outcome).toMatchObject({ changed: false, groups: { added: ['starter'] } });
    expect(record()?.cognitoGroups).toEqual(['starter']);
  });

  describe('refunds and disputes (decided on the charge as Stripe has it now)', () => {
    /** The charge that paid in_base (sub_base's latest non-zero invoice), as Stripe reads it. */
    const paidCharge = (amountRefunded: number, invoice: string | null = 'in_base') =>
      memory.stripe.chargeReads.set('ch_base', {
        chargeId: 'ch_base',
        customerId: 'cus_base',
        amount: 900,
        amountRefunded,
        invoice: invoice ? { id: invoice, subscriptionId: 'sub_base', amountPaid: 900, paidAt: T } : null,
      });

    it('does not revoke on an open dispute, revokes when it is lost, and one read per event finds the customer', async () => {
      paidCharge(0);
      await apply(subEvent('created', {}, T));
      const opened = await apply(stripeEvent('charge.dispute.created', disputeObject(), { created: T + 1 }));
      expect(opened).toMatchObject({ kind: 'applied', stripeReads: 1, entitlement: { entitled: true } });
      await apply(stripeEvent('charge.dispute.closed', disputeObject({ status: 'lost' }), { created: T + 2 }));
      expect(record()).toMatchObject({
        entitled: false,
        groups: ['free'],
        paymentReversal: { action: 'revoked', reason: 'dispute', chargeId: 'ch_base' },
      });
    });

    it('a dispute won on appeal (funds reinstated) restores, whatever the order', async () => {
      paidCharge(0);
      await apply(subEvent('created', {}, T));
      await apply(stripeEvent('charge.dispute.funds_reinstated', disputeObject({ status: 'won' }), { created: T + 3 }));
      await apply(stripeEvent('charge.dispute.closed', disputeObject({ status: 'lost' }), { created: T + 2 }));
      expect(record()).toMatchObject({ entitled: true, plan: 'starter', paymentReversal: null });
    });

    it('revokes on a full refund of the paying charge, not on a partial one; a later payment restores', async () => {
      await apply(subEvent('created', {}, T));
      paidCharge(100);
      await apply(stripeEvent('charge.refunded', chargeObject({ amountRefunded: 100 }), { created: T + 1 }));
      expect(record()?.entitled).toBe(true);
      paidCharge(900);
      await apply(stripeEvent('charge.refunded', chargeObject({ amountRefunded: 900 }), { created: T + 2 }));
      expect(record()).toMatchObject({ entitled: false, paymentReversal: { action: 'revoked', reason: 'refund' } });
      const next = invoiceObject();
      next.id = 'in_next';
      await apply(stripeEvent('invoice.paid', next, { created: T + 3 }));
      expect(record()).toMatchObject({ entitled: true, paymentReversal: null });
    });

    it('a refund that fails later (refund.failed) undoes the revocation', async () => {
      await apply(subEvent('created', {}, T));
      paidCharge(900);
      await apply(stripeEvent('charge.refunded', chargeObject({ amountRefunded: 900 }), { created: T + 1 }));
      expect(record()?.entitled).toBe(false);
      memory.setNow(new Date(NOW.getTime() + 3_600_000));
      paidCharge(0);
      const refund = { id: 're_1', object: 'refund', charge: 'ch_base', amount: 900, status: 'failed', metadata: {} };
      await apply(stripeEvent('refund.failed', refund, { created: T + 3601 }));
      expect(record()).toMatchObject({ entitled: true, paymentReversal: null });
    });

    it('never revokes for a full refund of a one-off charge', async () => {
      await apply(subEvent('created', {}, T));
      paidCharge(900, null);
      await apply(stripeEvent('charge.refunded', chargeObject({ amountRefunded: 900 }), { created: T + 1 }));
      expect(record()).toMatchObject({ entitled: true, plan: 'starter' });
    });

    it('a $0 invoice after a refund does not restore', async () => {
      await apply(subEvent('created', {}, T));
      paidCharge(900);
      await apply(stripeEvent('charge.refunded', chargeObject({ amountRefunded: 900 }), { created: T + 1 }));
      const free = invoiceObject();
      Object.assign(free, { id: 'in_zero', amount_paid: 0 });
      await apply(stripeEvent('invoice.paid', free, { created: T + 2 }));
      expect(record()?.entitled).toBe(false);
    });

    it('ignores an event whose charge Stripe does not know', async () => {
      const outcome = await apply(stripeEvent('charge.dispute.created', disputeObject(), { created: T }));
      expect(outcome).toMatchObject({ kind: 'ignored' });
    });
  });

  it('ends everything on customer.deleted, even if older subscription events arrive later', async () => {
    await apply(stripeEvent('customer.deleted', customerObject(), { created: T + 5 }));
    await apply(subEvent('updated', { status: 'active' }, T + 1));
    expect(record()).toMatchObject({ entitled: false, plan: 'free' });
  });

  it('resolves through the Stripe customer metadata when nothing else names the user', async () => {
    memory.profiles.items.clear();
    memory.profiles.add('sub-user-2');
    memory.stripe.customers.set('cus_base', { id: 'cus_base', metadata: { cognito_sub: 'sub-user-2' } });
    const outcome = await apply(subEvent('created', { userSub: null }, T));
    expect(outcome).toMatchObject({ kind: 'applied', sub: 'sub-user-2', stripeReads: 1 });
  });

  it('parks a conflict (metadata names one user, the profile link another) without touching either', async () => {
    memory.profiles.add('sub-user-2');
    const outcome = await apply(subEvent('created', { userSub: 'sub-user-2' }, T));
    expect(outcome).toMatchObject({ kind: 'parked', reason: 'conflict' });
    expect([...memory.parked.items.values()][0]).toMatchObject({ reason: 'conflict', stripeCustomerId: 'cus_base' });
    expect(memory.entitlements.items.size).toBe(0);
  });

  it('parks an unresolvable event and applies it once checkout completion links the customer', async () => {
    memory.profiles.items.clear();
    memory.profiles.add('sub-user-9');
    const parked = await apply(subEvent('created', { customer: 'cus_new', userSub: null }, T));
    expect(parked).toMatchObject({ kind: 'parked', reason: 'unresolved' });
    expect(await retryAllParkedEvents(memory.deps)).toEqual({ applied: 0, stillParked: 1 });

    await apply(
      stripeEvent(
        'checkout.session.completed',
        checkoutSessionObject({ customer: 'cus_new', clientReferenceId: 'sub-user-9' }),
        {
          created: T + 1,
        },
      ),
    );

    expect(memory.parked.items.size).toBe(0);
    expect(memory.entitlements.items.get('sub-user-9')).toMatchObject({
      plan: 'starter',
      stripeCustomerId: 'cus_new',
      email: 'buyer@example.com',
    });
  });

  it('retries parked events per customer once the profile link exists', async () => {
    memory.profiles.items.clear();
    await apply(subEvent('created', { customer: 'cus_later', userSub: null }, T));
    memory.profiles.add('sub-user-3', 'cus_later');
    expect(await retryParkedEventsForCustomer(memory.deps, 'cus_later')).toEqual({ applied: 1, stillParked: 0 });
    expect(memory.entitlements.items.get('sub-user-3')?.plan).toBe('starter');
  });

  it('ignores an event that names no customer', async () => {
    const outcome = await apply(stripeEvent('charge.dispute.created', disputeObject({ charge: 'ch_unknown' })));
    expect(outcome).toMatchObject({ kind: 'ignored' });
  });

  it('an ended no-card trial stays expired with its end date when reconcile recomputes it (not none)', async () => {
    // Prepare: a no-card trial that ended yesterday, its group still applied
    const ended = new Date(NOW.getTime() - 86_400_000).toISOString();
    await memory.deps.entitlements.writeIfVersion(
      {
        ...initialEntitlementRecord(
          memory.deps.catalog,
          { sub: 'sub-user-1', cognitoUsername: 'user-sub-user-1' },
          NOW,
        ),
        status: 'trialing',
        plan: 'trial',
        entitled: true,
        groups: ['trial'],
        cognitoGroups: ['trial'],
        trialEndsAt: ended,
        trialUsed: true,
      },
      null,
    );
    await memory.groups.addUserToGroup('user-sub-user-1', 'trial');

    // Act
    await recomputeEntitlementFromStripe(memory.deps, {
      sub: 'sub-user-1',
      stripeCustomerId: 'cus_base',
      subscriptions: [],
    });
    const again = await recomputeEntitlementFromStripe(memory.deps, {
      sub: 'sub-user-1',
      stripeCustomerId: 'cus_base',
      subscriptions: [],
    });

    // Assess
    expect(record()).toMatchObject({ status: 'expired', plan: 'free', trialEndsAt: ended, groups: ['free'] });
    expect(again.changed).toBe(false);
    expect(memory.groups.groupsOf('user-sub-user-1')).toEqual(['free']);
  });

  it('recomputeEntitlementFromStripe writes from a full list and is a no-op when nothing changed', async () => {
    const list = [subscriptionObject({ id: 'sub_a', lookupKey: 'business_monthly' })];
    const first = await recomputeEntitlementFromStripe(memory.deps, {
      sub: 'sub-user-1',
      stripeCustomerId: 'cus_base',
      subscriptions: list,
    });
    const second = await recomputeEntitlementFromStripe(memory.deps, {
      sub: 'sub-user-1',
      stripeCustomerId: 'cus_base',
      subscriptions: list,
    });
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    expect(record()).toMatchObject({ plan: 'business', cognitoGroups: ['business'] });
  });

  it('converges with 20 concurrent deliveries for one customer (lost races answer 500, Stripe redelivers)', async () => {
    // Prepare
    const handle = createStripeWebhookHandler(memory.deps);
    const seconds = Math.floor(NOW.getTime() / 1000);
    const bodies = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify(
        subEvent('updated', { lookupKey: i % 2 ? 'pro_monthly' : 'starter_monthly' }, T + i, `evt_c_${i}`),
      ),
    );

    // Act: deliver all at once, then redeliver whatever failed, like Stripe
    let pending = bodies;
    let rounds = 0;
    while (pending.length > 0 && rounds < 20) {
      rounds += 1;
      const responses = await Promise.all(pending.map((body) => handle(signedRequest(body, { timestamp: seconds }))));
      expect(responses.every((r) => r.statusCode === 200 || r.statusCode === 500)).toBe(true);
      pending = pending.filter((_, i) => responses[i]?.statusCode !== 200);
    }

    // Assess
    expect(pending).toEqual([]);
    expect(record()).toMatchObject({ plan: 'pro', lastEventCreated: T + 19, cognitoGroups: ['pro'] });
    expect(memory.groups.groupsOf('user-sub-user-1')).toEqual(['pro']);
    expect(memory.ledger.ids.size).toBe(20);
  });

  describe('one trial per identity: a Stripe trial marks the trial as used, on the record and by email', () => {
    let marks: MemoryAccountTombstoneStore;
    beforeEach(() => {
      marks = new MemoryAccountTombstoneStore();
      memory = memoryDeps({ trialMarks: marks });
      memory.profiles.add('sub-user-1', 'cus_base');
    });
    const trialing = () => subEvent('created', { status: 'trialing', trialEnd: T + 14 * 86400 }, T, 'evt_trial');
    const activeAfterTrial = () =>
      subEvent('updated', { status: 'active', trialEnd: T + 14 * 86400 }, T + 14 * 86400, 'evt_active');

    it.each([
      ['in order', [trialing, activeAfterTrial]],
      ['the end of the trial first', [activeAfterTrial, trialing]],
    ])('%s', async (_name, events) => {
      for (const event of events) await apply(event());
      expect(record()).toMatchObject({ trialUsed: true });
      expect([...marks.emails]).toEqual(['sub-user-1@example.com']);
    });

    it('a checkout that granted a trial marks it, before any subscription event', async () => {
      const session = checkoutSessionObject();
      session.metadata = { cognito_sub: 'sub-user-1', trial_days: '14' };
      await apply(stripeEvent('checkout.session.completed', session, { created: T }));
      expect(record()).toMatchObject({ trialUsed: true, plan: 'free' });
      expect(marks.emails.size).toBe(1);
    });

    it('a subscription without a trial leaves it unused', async () => {
      await apply(subEvent('created', { status: 'active' }, T));
      expect(record()).toMatchObject({ trialUsed: false });
      expect(marks.emails.size).toBe(0);
    });

    it('a failed mark fails the delivery (Stripe retries) and writes nothing; the retry marks', async () => {
      marks.failNextMark = 1;
      await expect(apply(trialing())).rejects.toThrow(/trial mark write failed/);
      expect(record()).toBeUndefined();
      await apply(trialing());
      expect(record()).toMatchObject({ trialUsed: true });
      expect(marks.emails.size).toBe(1);
    });
  });

  describe('a price that maps to nothing (configuration error, logged for the UnmappedPrices metric)', () => {
    const logs = useLogCapture();
    /** The real ERROR line, through the UnmappedPrices metric filter's rendered CloudWatch pattern (lib/). */
    const countedByUnmappedPrices = () => {
      const pattern = filterPatternOf(LOG_SIGNALS.unmappedPrices).logPatternString;
      return logs.lines.filter((line) => line.level === 'ERROR').map((line) => jsonFilterMatches(pattern, line));
    };

    it('keeps the last known plan and says so', async () => {
      // Prepare
      await apply(subEvent('updated', { lookupKey: 'pro_monthly' }, T));

      // Act
      const outcome = await apply(subEvent('updated', { lookupKey: 'unknown_price' }, T + 1));

      // Assess
      expect(outcome).toMatchObject({ kind: 'applied', entitlement: { plan: 'pro', entitled: true } });
      expect(logs.errors()).toEqual([
        'configuration error: subscription price is not in the plan catalog, its last known plan is kept',
      ]);
      expect(logs.lines.find((line) => line.level === 'ERROR')).toMatchObject({
        price: 'unknown_price',
        keptPlan: 'pro',
      });
      expect(countedByUnmappedPrices()).toEqual([true]);
    });

    it('grants nothing when no plan was ever known', async () => {
      // Act
      const outcome = await apply(subEvent('updated', { lookupKey: 'unknown_price' }, T));

      // Assess
      expect(outcome).toMatchObject({ kind: 'applied', entitlement: { plan: 'free', entitled: false } });
      expect(logs.errors()).toEqual([
        'configuration error: subscription price is not in the plan catalog, it grants nothing',
      ]);
      expect(countedByUnmappedPrices()).toEqual([true]);
    });
  });
});
