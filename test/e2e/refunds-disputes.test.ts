import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  advanceTo,
  drained,
  inOrder,
  latestCharge,
  paidPro,
  periodEndOf,
  shuffled,
  status,
  type User,
  useStack,
  type World,
} from './support';

/**
 * Refunds and disputes scoped to what they refund (issue 14), on the emulator's documented sequences:
 * https://docs.stripe.com/refunds (`refund.created` + `charge.refunded`), https://docs.stripe.com/testing#refunds
 * (4000000000005126: the refund fails an hour later, `refund.failed`), https://docs.stripe.com/disputes/api
 * (`charge.dispute.created`, evidence -> `charge.dispute.updated`, `charge.dispute.closed` won/lost,
 * `charge.dispute.funds_reinstated`). Only the charge that paid the subscription's latest non-zero invoice counts.
 */
const worldOf = useStack();
const HOUR = 3600;

/** A one-off payment outside any subscription (a PaymentIntent confirmed with the card on file). */
async function oneOffCharge(world: World, user: User): Promise<Stripe.Charge> {
  const customer = (await world.stripe.customers.retrieve(user.customerId)) as Stripe.Customer;
  const subscription = (await world.stripe.subscriptions.list({ customer: user.customerId, limit: 1 })).data[0];
  const method = subscription?.default_payment_method ?? customer.invoice_settings.default_payment_method;
  const intent = await world.stripe.paymentIntents.create({
    customer: user.customerId,
    amount: 4900,
    currency: 'usd',
    payment_method: String(typeof method === 'object' ? method?.id : method),
    confirm: true,
  });
  await drained(world);
  return world.stripe.charges.retrieve(String(intent.latest_charge));
}

describe('refunds', () => {
  it('a goodwill full refund of last month keeps access; a full refund of this period revokes; the next payment restores (shuffled, duplicated)', async () => {
    // Prepare: two paid months
    const world = worldOf();
    const { user, subscription } = await paidPro(world, 'refund-scope');
    const lastMonth = await latestCharge(world, user);
    await advanceTo(world, periodEndOf(subscription) + HOUR + 60);
    const thisMonth = await latestCharge(world, user);
    shuffled(world, 21);

    // Act
    await world.stripe.refunds.create({ charge: lastMonth.id });
    await drained(world);
    const afterGoodwill = await status(world, user);
    await world.stripe.refunds.create({ charge: thisMonth.id });
    await drained(world);
    const afterFullRefund = await status(world, user);
    const renewed = await world.stripe.subscriptions.retrieve(subscription.id);
    await advanceTo(world, periodEndOf(renewed) + HOUR + 60);
    inOrder(world);
    const afterNextPayment = await status(world, user);

    // Assess
    expect(thisMonth.id).not.toBe(lastMonth.id);
    expect(afterGoodwill).toMatchObject({ plan: 'pro', entitled: true });
    expect(afterFullRefund).toMatchObject({
      status: 'revoked',
      revokedReason: 'refund',
      plan: 'free',
      entitled: false,
    });
    expect(afterNextPayment).toMatchObject({ plan: 'pro', entitled: true, status: 'active' });
  });

  it('a full refund of a one-off charge never touches the subscription', async () => {
    // Prepare
    const world = worldOf();
    const { user } = await paidPro(world, 'refund-oneoff');
    const oneOff = await oneOffCharge(world, user);

    // Act
    await world.stripe.refunds.create({ charge: oneOff.id });
    await drained(world);

    // Assess
    expect(await status(world, user)).toMatchObject({ plan: 'pro', entitled: true });
  });

  it('a refund that fails later (card 4000000000005126) gives access back', async () => {
    // Prepare
    const world = worldOf();
    const { user } = await paidPro(world, 'refund-fails', 'pm_card_refundFail');
    const charge = await latestCharge(world, user);
    await world.stripe.refunds.create({ charge: charge.id });
    await drained(world);
    const refunded = await status(world, user);

    // Act: an hour later Stripe reports the refund failed (refund.updated + refund.failed)
    const events = await advanceTo(world, world.emulator.now() + HOUR + 60);

    // Assess
    expect(refunded).toMatchObject({ status: 'revoked', revokedReason: 'refund', entitled: false });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['refund.updated', 'refund.failed']));
    expect(await status(world, user)).toMatchObject({ plan: 'pro', entitled: true });
  });
});

describe('disputes', () => {
  it('an open dispute keeps access, a lost one revokes it', async () => {
    // Prepare
    const world = worldOf();
    const { user } = await paidPro(world, 'dispute-lost');
    const charge = await latestCharge(world, user);

    // Act
    const dispute = world.emulator.disputeCharge(charge.id);
    await drained(world);
    const whileOpen = await status(world, user);
    await world.stripe.disputes.close(dispute.id);
    await drained(world);

    // Assess
    expect(whileOpen).toMatchObject({ status: 'active', revokedReason: null, plan: 'pro', entitled: true });
    expect(await status(world, user)).toMatchObject({
      status: 'revoked',
      revokedReason: 'dispute',
      plan: 'free',
      entitled: false,
    });
  });

  it('a dispute won with evidence (closed won + funds reinstated) keeps access throughout (shuffled, duplicated)', async () => {
    // Prepare
    const world = worldOf();
    const { user } = await paidPro(world, 'dispute-won');
    const charge = await latestCharge(world, user);
    shuffled(world, 8);

    // Act
    const dispute = world.emulator.disputeCharge(charge.id);
    await world.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    const events = await advanceTo(world, world.emulator.now() + 2 * HOUR);
    inOrder(world);

    // Assess
    expect(events.map((e) => e.type)).toEqual(['charge.dispute.closed', 'charge.dispute.funds_reinstated']);
    expect(await status(world, user)).toMatchObject({ plan: 'pro', entitled: true });
  });

  it('an open or lost dispute of a one-off charge never revokes the subscription', async () => {
    // Prepare
    const world = worldOf();
    const { user } = await paidPro(world, 'dispute-oneoff');
    const oneOff = await oneOffCharge(world, user);

    // Act
    const dispute = world.emulator.disputeCharge(oneOff.id);
    await drained(world);
    const whileOpen = await status(world, user);
    await world.stripe.disputes.close(dispute.id);
    await drained(world);

    // Assess
    expect(whileOpen).toMatchObject({ status: 'active', plan: 'pro', entitled: true });
    expect(await status(world, user)).toMatchObject({ status: 'active', plan: 'pro', entitled: true });
  });
});
