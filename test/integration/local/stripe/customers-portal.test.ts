import { describe, expect, it } from 'vitest';
import { NO_DEFAULT_CONFIGURATION } from '../../../../local/stripe/portal';
import { customerWithCard, eventsOf, priceOf, productReads, statuses, useEmulator } from './support';

/**
 * Customer deletion (https://docs.stripe.com/api/customers/delete: "Also immediately cancels any active subscriptions
 * on the customer") and the customer portal's configuration
 * (https://docs.stripe.com/customer-management/configure-portal, https://docs.stripe.com/api/customer_portal).
 */
const emulatorOf = useEmulator();

describe('Customer deletion', () => {
  it('cancels the subscriptions (deleted), then customer.deleted with the customer; later calls naming it are resource_missing', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await customerWithCard(stripe);
    const price = (await priceOf(stripe)).id;
    const first = await stripe.subscriptions.create({ customer: customer.id, items: [{ price }] });
    const second = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price }],
      trial_period_days: 7,
    });
    const since = emulator.events().length;

    // Act
    const deleted = await stripe.customers.del(customer.id);
    const retrieved = await stripe.customers.retrieve(customer.id);
    const update = await stripe.customers.update(customer.id, { name: 'x' }).catch((e: unknown) => e);
    const subscribe = await stripe.subscriptions
      .create({ customer: customer.id, items: [{ price }] })
      .catch((e: unknown) => e);
    const checkout = await stripe.checkout.sessions
      .create({
        mode: 'subscription',
        customer: customer.id,
        line_items: [{ price, quantity: 1 }],
        success_url: 'https://example.com/ok',
      })
      .catch((e: unknown) => e);

    // Assess
    const events = eventsOf(emulator, customer.id, since);
    expect(statuses(events).map(([type, status]) => `${type}:${status}`)).toEqual([
      'customer.subscription.deleted:canceled',
      'customer.subscription.deleted:canceled',
      'customer.deleted:null',
    ]);
    expect(new Set(events.slice(0, 2).map((e) => (e.data.object as { id: string }).id))).toEqual(
      new Set([first.id, second.id]),
    );
    expect(events[2]?.data.object).toMatchObject({
      id: customer.id,
      email: customer.email,
      metadata: customer.metadata,
    });
    expect(productReads(events).at(-1)?.signal).toEqual({
      kind: 'customer-deleted',
      metadataSub: customer.metadata.cognito_sub,
      email: customer.email,
    });
    expect(deleted).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect(retrieved).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect(update).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(subscribe).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    expect(checkout).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
  });
});

describe('Customer portal configuration', () => {
  it('refuses sessions until the default configuration exists; API-made configurations are not the default', async () => {
    // Prepare
    const emulator = emulatorOf();
    const stripe = emulator.client();
    const customer = await stripe.customers.create({ email: 'portal@example.com' });

    // Act
    const refused = await stripe.billingPortal.sessions
      .create({ customer: customer.id, return_url: 'https://example.com/account' })
      .catch((e: unknown) => e);
    const made = await stripe.billingPortal.configurations.create({
      features: { invoice_history: { enabled: true }, subscription_cancel: { enabled: true, mode: 'at_period_end' } },
    });
    const stillRefused = await stripe.billingPortal.sessions.create({ customer: customer.id }).catch((e: unknown) => e);
    const explicit = await stripe.billingPortal.sessions.create({ customer: customer.id, configuration: made.id });
    const saved = emulator.saveDefaultPortalConfiguration();
    const withDefault = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'https://example.com/account',
    });
    const badUrl = await stripe.billingPortal.sessions
      .create({ customer: customer.id, return_url: 'not a url' })
      .catch((e: unknown) => e);

    // Assess
    expect(refused).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      message: NO_DEFAULT_CONFIGURATION,
    });
    expect(made).toMatchObject({
      is_default: false,
      active: true,
      features: { subscription_cancel: { enabled: true, mode: 'at_period_end' } },
    });
    expect(stillRefused).toMatchObject({ statusCode: 400 });
    expect(explicit.configuration).toBe(made.id);
    expect(saved).toMatchObject({ is_default: true });
    expect(emulator.saveDefaultPortalConfiguration().id).toBe(saved.id);
    expect(withDefault).toMatchObject({ configuration: saved.id, return_url: 'https://example.com/account' });
    expect((await fetch(withDefault.url)).status).toBe(200);
    expect(badUrl).toMatchObject({ statusCode: 400, code: 'url_invalid', param: 'return_url' });
  });
});
