import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../local/stripe/settings';
import { advanceTo, drained, inOrder, paidPro, periodEndOf, shuffled, status, useStack } from './support';

/**
 * Dunning grace anchored to the start of the unpaid streak (issue 14), on the emulator's documented dunning
 * (https://docs.stripe.com/billing/revenue-recovery/smart-retries, https://docs.stripe.com/billing/subscriptions/overview):
 * a failed renewal makes the subscription `past_due`; with the account set to leave it past_due after the last retry,
 * every later period is still invoiced and attempted.
 */
const worldOf = useStack();
const HOUR = 3600;
const DAY = 86_400;
const GRACE_DAYS = 7;

afterEach(() => {
  const world = worldOf();
  world.emulator.configure(defaultSettings());
  inOrder(world);
});

const failedAt = (events: { type: string; created: number }[]) =>
  events.find((e) => e.type === 'invoice.payment_failed')?.created ?? Number.NaN;

describe('the unpaid streak', () => {
  it('keeps its start across a renewal: grace is not granted again each period; a payment ends it (shuffled, duplicated)', async () => {
    // Prepare: retries fail, and the account leaves the subscription past_due after the last one
    const world = worldOf();
    world.emulator.configure({
      dunning: { retries: { kind: 'smart', attempts: 4, windowDays: 14 }, outcome: 'past_due' },
    });
    const { user, subscription } = await paidPro(world, 'streak');
    world.emulator.failNextPayment(user.customerId, 100);
    shuffled(world, 17);

    // Act
    const failed = failedAt(await advanceTo(world, periodEndOf(subscription) + HOUR + 60));
    const inGrace = await status(world, user);
    await advanceTo(world, failed + (GRACE_DAYS + 1) * DAY);
    const afterGrace = await status(world, user);
    const stillPastDue = await world.stripe.subscriptions.retrieve(subscription.id);
    const renewalEvents = await advanceTo(world, periodEndOf(stillPastDue) + HOUR + 60);
    const afterRenewal = await status(world, user);
    world.emulator.failNextPayment(user.customerId, 0);
    const latest = await world.stripe.subscriptions.retrieve(subscription.id);
    await world.stripe.invoices.pay(String(latest.latest_invoice));
    await drained(world);
    const afterPayment = await status(world, user);

    // Assess
    expect(inGrace).toMatchObject({ status: 'past_due', plan: 'pro', entitled: true });
    expect(afterGrace).toMatchObject({ status: 'expired', plan: 'free', entitled: false });
    expect(stillPastDue.status).toBe('past_due');
    expect(renewalEvents.map((e) => e.type)).toEqual(
      expect.arrayContaining(['customer.subscription.updated', 'invoice.payment_failed']),
    );
    expect(afterRenewal).toMatchObject({ plan: 'free', entitled: false });
    expect(afterPayment).toMatchObject({ status: 'active', plan: 'pro', entitled: true });
  });

  it('a payment that first fails in the middle of a period gets the full grace from that failure', async () => {
    // Prepare: the renewal invoice is attempted 20 days into the period (a late first attempt)
    const world = worldOf();
    const { user, subscription } = await paidPro(world, 'mid-period');
    world.emulator.configure({ renewalFinalizeDelay: 20 * DAY });
    world.emulator.failNextPayment(user.customerId, 100);
    const periodStart = periodEndOf(subscription);

    // Act
    const events = await advanceTo(world, periodStart + 20 * DAY + 60);
    const failed = failedAt(events);
    const afterFailure = await status(world, user);
    await advanceTo(world, failed + (GRACE_DAYS - 1) * DAY);
    const lateInGrace = await status(world, user);
    await advanceTo(world, failed + GRACE_DAYS * DAY + 60);
    const afterGrace = await status(world, user);

    // Assess
    expect(failed - periodStart).toBeGreaterThanOrEqual(20 * DAY);
    expect(afterFailure).toMatchObject({ status: 'past_due', plan: 'pro', entitled: true });
    expect(lateInGrace).toMatchObject({ status: 'past_due', plan: 'pro', entitled: true });
    expect(afterGrace).toMatchObject({ plan: 'free', entitled: false });
  });

  it.each([
    ['unpaid', 'unpaid'],
    ['cancel', 'canceled'],
  ] as const)(
    'when every retry failed and the account marks it %s, access is gone and the status says %s (shuffled, duplicated)',
    async (outcome, shown) => {
      // Prepare: one scheduled retry a day later, then the account's outcome
      const world = worldOf();
      world.emulator.configure({ dunning: { retries: { kind: 'schedule', daysAfterPrevious: [1] }, outcome } });
      const { user, subscription } = await paidPro(world, `dunning-${outcome}`);
      world.emulator.failNextPayment(user.customerId, 100);
      shuffled(world, outcome === 'unpaid' ? 37 : 41);

      // Act
      const failed = failedAt(await advanceTo(world, periodEndOf(subscription) + HOUR + 60));
      await advanceTo(world, failed + 2 * DAY);
      inOrder(world);
      const after = await status(world, user);
      const gaveUp = await world.stripe.subscriptions.retrieve(subscription.id);

      // Assess
      expect(gaveUp.status).toBe(shown);
      expect(after).toMatchObject({ status: shown, plan: 'free', entitled: false, groups: ['free'] });
    },
  );
});
