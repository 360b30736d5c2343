import { describe, expect, it } from 'vitest';
import { advanceTo, drained, inOrder, paidPro, periodEndOf, shuffled, status, useStack } from './support';

/**
 * cancel_at and pause_collection (issue 14), as Stripe documents them: https://docs.stripe.com/billing/subscriptions/cancel
 * (`cancel_at` may be any future date: the subscription renews normally until then and is deleted at that moment),
 * https://docs.stripe.com/billing/subscriptions/pause-payment (collection paused, status stays `active`, "your
 * customer retains access"; a stage may choose to revoke instead: PAUSED_COLLECTION_ACCESS).
 */
const HOUR = 3600;
const DAY = 86_400;
const iso = (epoch: number) => new Date(epoch * 1000).toISOString();

describe('cancel_at beyond the current period', () => {
  const worldOf = useStack();

  it('stays entitled across the renewal until that date, and the status shows the real date (shuffled, duplicated)', async () => {
    // Prepare
    const world = worldOf();
    const { user, subscription } = await paidPro(world, 'cancel-at');
    const periodEnd = periodEndOf(subscription);
    const cancelAt = periodEnd + 10 * DAY;
    shuffled(world, 9);
    await world.stripe.subscriptions.update(subscription.id, { cancel_at: cancelAt });
    await drained(world);
    const scheduled = await status(world, user);

    // Act: the period ends before its renewal event reaches us (delivery held), then everything is delivered
    const url = world.emulator.webhookEndpoint().url ?? undefined;
    world.emulator.setWebhookUrl(undefined);
    world.emulator.advance(periodEnd + 60 - world.emulator.now());
    const atBoundary = await status(world, user);
    world.emulator.setWebhookUrl(url);
    await advanceTo(world, periodEnd + HOUR + 120);
    const renewed = await status(world, user);
    await advanceTo(world, cancelAt + 60);
    inOrder(world);
    const ended = await status(world, user);

    // Assess
    expect(scheduled).toMatchObject({
      status: 'active',
      entitled: true,
      cancelAtPeriodEnd: false,
      cancelAt: iso(cancelAt),
      currentPeriodEnd: iso(periodEnd),
    });
    expect(atBoundary).toMatchObject({ status: 'active', entitled: true, cancelAt: iso(cancelAt) });
    expect(renewed).toMatchObject({ status: 'active', entitled: true, plan: 'pro', cancelAt: iso(cancelAt) });
    expect(ended).toMatchObject({ status: 'canceled', entitled: false, plan: 'free' });
  });

  it('cancel at the period end shows the period end as the cancellation date', async () => {
    // Prepare
    const world = worldOf();
    const { user, subscription } = await paidPro(world, 'cancel-period-end');

    // Act
    await world.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await drained(world);

    // Assess
    expect(await status(world, user)).toMatchObject({
      status: 'active',
      entitled: true,
      cancelAtPeriodEnd: true,
      cancelAt: iso(periodEndOf(subscription)),
    });
  });
});

describe('paused collection', () => {
  const keepOf = useStack();
  const revokeOf = useStack({ lambdaEnv: { PAUSED_COLLECTION_ACCESS: 'revoke' } });

  it('keeps access by default (Stripe: the service is offered for free while collection is paused)', async () => {
    // Prepare
    const world = keepOf();
    const { user, subscription } = await paidPro(world, 'pause-keep');

    // Act
    await world.stripe.subscriptions.update(subscription.id, { pause_collection: { behavior: 'void' } });
    await drained(world);

    // Assess
    expect(await status(world, user)).toMatchObject({ status: 'active', entitled: true, plan: 'pro' });
  });

  it('a stage set to revoke shows paused without access, and access returns when collection resumes', async () => {
    // Prepare
    const world = revokeOf();
    const { user, subscription } = await paidPro(world, 'pause-revoke');

    // Act
    await world.stripe.subscriptions.update(subscription.id, {
      pause_collection: { behavior: 'keep_as_draft', resumes_at: world.emulator.now() + 5 * DAY },
    });
    await drained(world);
    const paused = await status(world, user);
    await advanceTo(world, world.emulator.now() + 5 * DAY + 60);
    const resumed = await status(world, user);

    // Assess
    expect(paused).toMatchObject({ status: 'paused', entitled: false, plan: 'free' });
    expect(resumed).toMatchObject({ status: 'active', entitled: true, plan: 'pro' });
  });
});
