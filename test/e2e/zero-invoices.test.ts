import { describe, expect, it } from 'vitest';
import { advanceTo, drained, inOrder, latestCharge, paidPro, periodEndOf, shuffled, status, useStack } from './support';

/**
 * A $0 invoice is never a payment (issue 14): Stripe sends `invoice.paid` for $0 invoices too (a trial start, a
 * credit, a 100 % discount: https://docs.stripe.com/api/events/types#event_types-invoice.paid), so one after a full
 * refund or a lost dispute must not give access back. The emulator has no coupons: the subscription moves to a $0
 * price of the same plan, whose renewal Stripe bills as a $0 invoice, paid at once without a charge.
 */
const worldOf = useStack();
const HOUR = 3600;

describe('a zero-amount invoice after a reversal', () => {
  it.each(['refund', 'dispute'] as const)(
    'after a %s revoked access, a renewal billed at zero does not give it back (shuffled, duplicated)',
    async (reason) => {
      // Prepare: the payment for the current period is fully refunded, or lost in a dispute
      const world = worldOf();
      const { user, subscription } = await paidPro(world, `zero-after-${reason}`);
      const charge = await latestCharge(world, user);
      if (reason === 'refund') await world.stripe.refunds.create({ charge: charge.id });
      else await world.stripe.disputes.close(world.emulator.disputeCharge(charge.id).id);
      await drained(world);
      const revoked = await status(world, user);
      const zeroPrice = await world.stripe.prices.create({
        product: 'prod_local_pro',
        unit_amount: 0,
        currency: 'usd',
        recurring: { interval: 'month' },
        metadata: { plan: 'pro' },
      });

      // Act: the subscription moves to the $0 price, then renews: invoice.paid with amount_paid 0
      shuffled(world, reason === 'refund' ? 29 : 31);
      await world.stripe.subscriptions.update(subscription.id, {
        items: [{ id: String(subscription.items.data[0]?.id), price: zeroPrice.id }],
      });
      const events = await advanceTo(world, periodEndOf(subscription) + HOUR + 60);
      inOrder(world);
      const after = await status(world, user);

      // Assess
      const zeroPaid = events.filter((event) => {
        const invoice = event.data.object as { customer?: string; amount_paid?: number };
        return event.type === 'invoice.paid' && invoice.customer === user.customerId && invoice.amount_paid === 0;
      });
      expect(revoked).toMatchObject({ status: 'revoked', revokedReason: reason, plan: 'free', entitled: false });
      expect(zeroPaid).toHaveLength(1);
      expect(after).toMatchObject({ status: 'revoked', revokedReason: reason, plan: 'free', entitled: false });
    },
  );
});
