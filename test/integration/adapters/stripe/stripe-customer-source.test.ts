import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeCustomerSource } from '../../../../lambdas/adapters/stripe/stripe-customer-source';
import { PlanCatalog } from '../../../../lambdas/domain/plan-catalog';
import { type StripeEmulator, startStripeEmulator } from '../../../../local/stripe/emulator';

describe('StripeCustomerSource against the Stripe emulator', () => {
  let emulator: StripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator({ catalog: PlanCatalog.defaults() });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('lists customers with their live subscriptions in customers/100 calls (+1 per customer with more than 10)', async () => {
    // Prepare: 205 customers, one with 11 live subscriptions and one canceled.
    const client = emulator.client();
    const customers: string[] = [];
    for (let i = 0; i < 205; i += 1) {
      customers.push(
        (await client.customers.create({ email: `c${i}@example.com`, metadata: { cognito_sub: `s${i}` } })).id,
      );
    }
    const price = (await client.prices.list({ lookup_keys: ['pro_monthly'] })).data[0]?.id ?? '';
    const busy = customers[0] ?? '';
    for (let i = 0; i < 11; i += 1) await client.subscriptions.create({ customer: busy, items: [{ price }] });
    const ended = await client.subscriptions.create({ customer: customers[1] ?? '', items: [{ price }] });
    await client.subscriptions.cancel(ended.id);
    const counted = emulator.client();
    let calls = 0;
    counted.on('request', () => {
      calls += 1;
    });

    // Act
    const listed = [];
    for await (const customer of new StripeCustomerSource(counted).customers()) listed.push(customer);

    // Assess
    expect(listed).toHaveLength(205);
    expect(calls).toBe(3 + 1);
    expect(listed.find((c) => c.id === busy)?.subscriptions).toHaveLength(11);
    expect(listed.find((c) => c.id === customers[1])?.subscriptions).toEqual([]);
    expect(listed.find((c) => c.id === customers[2])?.metadata).toEqual({ cognito_sub: 's2' });
    expect(await new StripeCustomerSource(counted).allSubscriptions(customers[1] ?? '')).toHaveLength(1);
  });
});
