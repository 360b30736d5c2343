import { describe, expect, it } from 'vitest';
import { orderEvent } from '../../../lambdas/domain/event-ordering';
import {
  InvalidStripeEventError,
  type NormalisedEvent,
  normaliseEvent,
  normaliseSubscription,
  parseEventEnvelope,
} from '../../../lambdas/domain/stripe-events';
import { resolveUser } from '../../../lambdas/domain/user-resolution';
import {
  chargeObject,
  checkoutSessionObject,
  customerObject,
  disputeObject,
  invoiceObject,
  LEGACY_API_VERSION,
  stripeEvent,
  subscriptionObject,
} from '../../fixtures/stripe/builders';

const normalise = (event: Record<string, unknown>): NormalisedEvent => {
  const envelope = parseEventEnvelope(event);
  return normaliseEvent(envelope as typeof envelope & { type: NormalisedEvent['type'] });
};

describe('normaliseSubscription: both API-version shapes', () => {
  it('reads the billing period from the items (basil and later)', () => {
    const sub = normaliseSubscription(subscriptionObject({ periodStart: 100, periodEnd: 200 }));
    expect(sub).toMatchObject({ currentPeriodStart: 100, currentPeriodEnd: 200, metadataSub: 'sub-user-1' });
  });

  it('reads the billing period from the subscription (before 2025-03-31) and legacy metadata keys', () => {
    const sub = normaliseSubscription(subscriptionObject({ legacy: true, periodStart: 100, periodEnd: 200 }));
    expect(sub).toMatchObject({ currentPeriodStart: 100, currentPeriodEnd: 200, metadataSub: 'sub-user-1' });
    expect(sub.prices[0]?.lookup_key).toBe('starter_monthly');
  });

  it('accepts a null lookup_key and nickname (the plan then comes from metadata)', () => {
    const raw = subscriptionObject({ legacy: true, lookupKey: null });
    expect(normaliseSubscription(raw).prices[0]).toMatchObject({ lookup_key: null, nickname: null });
  });

  it.each([
    ['a cancel_at inside the period', { cancel_at: 300 }, { cancelAt: 300, cancelAtPeriodEnd: false }],
    ['a cancel_at at the period end', { cancel_at: 500 }, { cancelAt: 500, cancelAtPeriodEnd: true }],
    ['a cancel_at beyond the period', { cancel_at: 900 }, { cancelAt: 900, cancelAtPeriodEnd: false }],
    [
      'cancel_at_period_end (older payloads without cancel_at)',
      { cancel_at_period_end: true },
      { cancelAt: 500, cancelAtPeriodEnd: true },
    ],
    ['no cancellation', {}, { cancelAt: null, cancelAtPeriodEnd: false }],
  ])('keeps %s as its own date and the real period end', (_name, fields, expected) => {
    const raw = { ...subscriptionObject({ periodEnd: 500 }), ...fields };
    expect(normaliseSubscription(raw)).toMatchObject({ ...expected, currentPeriodEnd: 500 });
  });

  it('reads pause_collection', () => {
    const raw = { ...subscriptionObject(), pause_collection: { behavior: 'void', resumes_at: 700 } };
    expect(normaliseSubscription(raw).pauseCollection).toEqual({ behavior: 'void', resumesAt: 700 });
    expect(normaliseSubscription(subscriptionObject()).pauseCollection).toBeNull();
  });

  it('rejects an unknown status with a clear error', () => {
    expect(() => normaliseSubscription({ ...subscriptionObject(), status: 'weird' })).toThrow(InvalidStripeEventError);
  });
});

describe('normaliseEvent', () => {
  it('reads the invoice subscription from parent.subscription_details (current) and invoice.subscription (legacy)', () => {
    const current = normalise(stripeEvent('invoice.paid', invoiceObject({ subscription: 'sub_x' })));
    const legacy = normalise(
      stripeEvent('invoice.paid', invoiceObject({ legacy: true, subscription: 'sub_y' }), {
        apiVersion: LEGACY_API_VERSION,
      }),
    );
    expect(current.signal).toMatchObject({
      kind: 'invoice',
      subscriptionId: 'sub_x',
      outcome: 'paid',
      amountPaid: 900,
      metadataSub: 'sub-user-1',
    });
    expect(legacy.signal).toMatchObject({
      kind: 'invoice',
      subscriptionId: 'sub_y',
      outcome: 'paid',
      metadataSub: 'sub-user-1',
    });
  });

  it('accepts a null api_version', () => {
    expect(
      normalise(stripeEvent('invoice.payment_failed', invoiceObject(), { apiVersion: null })).apiVersion,
    ).toBeNull();
  });

  it('normalises checkout, customer, refund and dispute events', () => {
    expect(normalise(stripeEvent('checkout.session.completed', checkoutSessionObject())).signal).toMatchObject({
      kind: 'checkout',
      clientReferenceId: 'sub-user-1',
    });
    expect(normalise(stripeEvent('customer.deleted', customerObject()))).toMatchObject({
      customerId: 'cus_base',
      signal: { kind: 'customer-deleted', metadataSub: 'sub-user-1' },
    });
    expect(normalise(stripeEvent('charge.refunded', chargeObject({ amountRefunded: 100 }))).signal).toMatchObject({
      kind: 'refund',
      full: false,
    });
    const closed = normalise(stripeEvent('charge.dispute.closed', disputeObject({ status: 'lost' })));
    expect(closed).toMatchObject({
      customerId: null,
      signal: { kind: 'dispute', outcome: 'lost', fundsReinstated: false, chargeId: 'ch_base' },
    });
  });

  it.each([
    ['charge.dispute.created', 'needs_response', 'open', false],
    ['charge.dispute.updated', 'under_review', 'open', false],
    ['charge.dispute.closed', 'won', 'won', false],
    ['charge.dispute.closed', 'lost', 'lost', false],
    ['charge.dispute.funds_reinstated', 'won', 'won', true],
    ['charge.dispute.closed', 'warning_closed', 'won', false],
  ])('reads %s (%s) as a dispute %s, funds reinstated %s', (type, status, outcome, fundsReinstated) => {
    expect(normalise(stripeEvent(type, disputeObject({ status }))).signal).toEqual({
      kind: 'dispute',
      disputeId: 'dp_base',
      chargeId: 'ch_base',
      outcome,
      fundsReinstated,
    });
  });

  it.each([
    ['invoice.paid', 'paid'],
    ['invoice.payment_failed', 'failed'],
    ['invoice.voided', 'closed'],
    ['invoice.marked_uncollectible', 'closed'],
  ])('reads %s as %s', (type, outcome) => {
    expect(normalise(stripeEvent(type, invoiceObject())).signal).toMatchObject({ kind: 'invoice', outcome });
  });

  it.each(['refund.updated', 'refund.failed', 'charge.refund.updated'])(
    'reads %s as a refund of its charge',
    (type) => {
      const refund = { id: 're_1', object: 'refund', charge: 'ch_base', amount: 900, status: 'failed', metadata: {} };
      expect(normalise(stripeEvent(type, refund))).toMatchObject({
        customerId: null,
        signal: { kind: 'refund', chargeId: 'ch_base', full: null },
      });
    },
  );

  it('rejects something that is not a Stripe event', () => {
    expect(() => parseEventEnvelope({ hello: 'world' })).toThrow(/invalid Stripe event/);
  });
});

describe('orderEvent (the ordering guard)', () => {
  it.each([
    [undefined, { id: 'e2', created: 10 }, 'newer'],
    [{ eventCreated: 10, eventId: 'e1' }, { id: 'e2', created: 11 }, 'newer'],
    [{ eventCreated: 10, eventId: 'e1' }, { id: 'e2', created: 9 }, 'older'],
    [{ eventCreated: 10, eventId: 'e1' }, { id: 'e2', created: 10 }, 'tie'],
    [{ eventCreated: 10, eventId: 'e1' }, { id: 'e1', created: 10 }, 'duplicate'],
  ] as const)('%j then %j -> %s', (stored, event, expected) => {
    expect(orderEvent(stored, event)).toBe(expected);
  });
});

describe('resolveUser (never the wrong user)', () => {
  const customerId = 'cus_1';
  it.each([
    ['metadata names the user', { customerId, metadataSub: 'u1', candidateKnown: true }, 'resolved'],
    ['checkout client_reference_id', { customerId, clientReferenceId: 'u1', candidateKnown: true }, 'resolved'],
    ['profile index', { customerId, indexedSubs: ['u1'], candidateKnown: true }, 'resolved'],
    ['customer metadata', { customerId, indexedSubs: [], customerMetadataSub: 'u1', candidateKnown: true }, 'resolved'],
    ['nothing names a user', { customerId, indexedSubs: [], customerMetadataSub: null }, 'unresolved'],
    ['named user without profile', { customerId, metadataSub: 'u1', candidateKnown: false }, 'unresolved'],
    ['metadata and profile link disagree', { customerId, metadataSub: 'u1', indexedSubs: ['u2'] }, 'conflict'],
    ['two profiles link the customer', { customerId, indexedSubs: ['u1', 'u2'] }, 'conflict'],
    ['user linked to another customer', { customerId, metadataSub: 'u1', candidateCustomerIds: ['cus_2'] }, 'conflict'],
  ] as const)('%s -> %s', (_name, evidence, kind) => {
    expect(resolveUser(evidence).kind).toBe(kind);
  });
});
