import { beforeEach, describe, expect, it } from 'vitest';
import { CreditPacks } from '../../../lambdas/domain/credit-packs';
import { createCheckoutSessionHandler } from '../../../lambdas/handlers/checkout-session';
import { redirectEnvSchema } from '../../../lambdas/platform/redirects';
import type { PackCheckoutInput } from '../../../lambdas/ports/billing-ports';
import {
  baseProfile,
  baseRecord,
  bodyOf,
  catalog,
  fixedClock,
  jwtEvent,
  MemoryBilling,
  proRecord,
  SUB,
} from '../../support/api-doubles';
import { MemoryCustomerGateway } from '../../support/fakes/customer-gateway';
import { MemoryEntitlementStore } from '../../support/fakes/entitlement-store';
import { MemoryGroupGateway } from '../../support/fakes/group-gateway';
import { MemoryProfileStore } from '../../support/fakes/profile-store';
import { memoryHealer } from '../../support/heal-doubles';

/** The subscription billing double, plus the pack checkout (one-time prices by lookup key). */
class PackBilling extends MemoryBilling {
  readonly packCheckouts: PackCheckoutInput[] = [];
  constructor() {
    super();
    this.prices = { ...this.prices, credits_100: 'price_c100', credits_500: 'price_c500' };
  }
  async createPackCheckoutSession(input: PackCheckoutInput) {
    if (this.failWith) throw this.failWith;
    this.packCheckouts.push(input);
    return { id: 'cs_test_pack', url: 'https://checkout.stripe.com/c/pay/cs_test_pack' };
  }
}

const messageOf = (result: Parameters<typeof bodyOf>[0]) =>
  (bodyOf(result) as { error: { message: string } }).error.message;
const redirects = redirectEnvSchema.parse({ ALLOWED_ORIGINS: 'https://app.example.com' });
const post = (body: unknown) => jwtEvent({ method: 'POST', path: '/checkout/sessions', body: JSON.stringify(body) });

describe('POST /checkout/sessions with a credit pack', () => {
  let profiles: MemoryProfileStore;
  let entitlements: MemoryEntitlementStore;
  let customers: MemoryCustomerGateway;
  let billing: PackBilling;
  let heal: ReturnType<typeof memoryHealer>['heal'];
  let handle: ReturnType<typeof createCheckoutSessionHandler>;

  beforeEach(() => {
    profiles = new MemoryProfileStore();
    entitlements = new MemoryEntitlementStore();
    customers = new MemoryCustomerGateway();
    billing = new PackBilling();
    profiles.items.set(SUB, structuredClone(baseProfile));
    entitlements.items.set(SUB, baseRecord());
    const clock = fixedClock();
    const healer = memoryHealer({
      profiles,
      entitlements,
      groups: new MemoryGroupGateway(),
      customers,
      catalog,
      clock,
    });
    healer.source.addUser(SUB, 'alice@example.com');
    heal = healer.heal;
    const deps = { profiles, entitlements, billing, catalog, clock, redirects, heal };
    handle = createCheckoutSessionHandler({ ...deps, packs: { creditPacks: CreditPacks.defaults(), billing } });
  });

  it('opens a payment-mode session for the caller with the pack price, the quantity and the credits sold', async () => {
    // Act
    const result = await handle(post({ pack: 'credits_500', quantity: 2 }));

    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({ id: 'cs_test_pack', url: 'https://checkout.stripe.com/c/pay/cs_test_pack' });
    expect(billing.packCheckouts).toEqual([
      expect.objectContaining({
        customerId: 'cus_1',
        priceId: 'price_c500',
        sub: SUB,
        packId: 'credits_500',
        quantity: 2,
        credits: 1000,
        successUrl: 'https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}',
      }),
    ]);
    expect(billing.checkouts).toEqual([]);
  });

  it('defaults to one unit and sells packs to a subscriber too', async () => {
    // Prepare
    entitlements.items.set(SUB, proRecord());

    // Act
    const result = await handle(post({ pack: 'credits_100' }));

    // Assess
    expect(result.statusCode).toBe(201);
    expect(billing.packCheckouts[0]).toMatchObject({ quantity: 1, credits: 100 });
  });

  it('a double click within the window uses the same Stripe idempotency key; another quantity a new one', async () => {
    // Act
    await handle(post({ pack: 'credits_100' }));
    await handle(post({ pack: 'credits_100' }));
    await handle(post({ pack: 'credits_100', quantity: 2 }));

    // Assess
    const keys = billing.packCheckouts.map((input) => input.idempotencyKey);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it.each([
    ['an unknown pack', { pack: 'credits_9000' }, 'pack: must be one of: credits_100, credits_500'],
    [
      'a quantity above the pack limit',
      { pack: 'credits_500', quantity: 6 },
      'quantity: pack "credits_500" is sold 1 to 5',
    ],
    ['a zero quantity', { pack: 'credits_500', quantity: 0 }, 'quantity: must be a whole number from 1 to 99'],
    ['a fractional quantity', { pack: 'credits_500', quantity: 1.5 }, 'quantity: must be a whole number from 1 to 99'],
    ['a pack with a plan', { pack: 'credits_500', plan: 'pro' }, 'plan: not with pack'],
    ['a quantity without a pack', { plan: 'pro', interval: 'month', quantity: 2 }, 'quantity: only with pack'],
  ])('answers 400 to %s and creates nothing', async (_name, body, message) => {
    // Act
    const result = await handle(post(body));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(messageOf(result)).toContain(message);
    expect(billing.packCheckouts).toEqual([]);
    expect(customers.created).toEqual([]);
  });

  it('answers 400 to a pack when the stage sells none', async () => {
    // Prepare
    const none = createCheckoutSessionHandler({
      ...{ profiles, entitlements, billing, catalog, clock: fixedClock(), redirects, heal },
      packs: { creditPacks: CreditPacks.parse({ packs: [] }), billing },
    });

    // Act
    const result = await none(post({ pack: 'credits_100' }));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(messageOf(result)).toContain('pack: no credit packs are sold');
  });

  it('answers 500 (a configuration error) when Stripe has no price with the pack lookup key', async () => {
    // Prepare
    delete billing.prices.credits_100;

    // Act
    const result = await handle(post({ pack: 'credits_100' }));

    // Assess
    expect(result.statusCode).toBe(500);
    expect(billing.packCheckouts).toEqual([]);
  });
});
