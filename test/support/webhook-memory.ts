import { type SigningSecret, StripeSignatureVerifier } from '../../lambdas/adapters/stripe/stripe-signature';
import type { ChargeRead } from '../../lambdas/domain/payment-facts';
import { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import type { StripeCustomerRef } from '../../lambdas/ports/app-ports';
import type {
  AuditEntry,
  AuditLog,
  ParkedEvent,
  ParkedEventStore,
  SubscriptionSource,
  WebhookLedger,
} from '../../lambdas/ports/webhook-ports';
import type { DeliveryDeps } from '../../lambdas/use-cases/webhook/receive-delivery';
import { TEST_WEBHOOK_SECRET } from '../fixtures/stripe/builders';
import { MemoryEntitlementStore } from './fakes/entitlement-store';
import { MemoryGroupGateway } from './fakes/group-gateway';
import { MemoryProfileStore } from './fakes/profile-store';

/** In-memory doubles of the webhook's ports, with call counters (the unit tests' "emulators"). */

/** Stripe as the webhook reads it: the customer's subscriptions (truth), customers and charges. */
export class FakeStripe implements SubscriptionSource {
  readonly subscriptions = new Map<string, Record<string, unknown>[]>();
  readonly customers = new Map<string, StripeCustomerRef>();
  readonly charges = new Map<string, string>();
  calls = { list: 0, customer: 0, charge: 0 };

  async listForCustomer(customerId: string) {
    this.calls.list += 1;
    return structuredClone(this.subscriptions.get(customerId) ?? []);
  }
  async retrieveCustomer(customerId: string) {
    this.calls.customer += 1;
    return this.customers.get(customerId);
  }
  /** Full reads by charge id; a charge only in `charges` reads as an unrefunded one-off charge of 9.00. */
  readonly chargeReads = new Map<string, Omit<ChargeRead, 'readAt'>>();
  async readCharge(chargeId: string) {
    this.calls.charge += 1;
    const read = this.chargeReads.get(chargeId);
    if (read) return structuredClone(read);
    const customerId = this.charges.get(chargeId);
    if (customerId === undefined) return undefined;
    return { chargeId, customerId, amount: 900, amountRefunded: 0, invoice: null };
  }
  total() {
    return this.calls.list + this.calls.customer + this.calls.charge;
  }
}

export class MemoryParked implements ParkedEventStore {
  readonly items = new Map<string, ParkedEvent>();
  async park(event: ParkedEvent) {
    if (!this.items.has(event.eventId)) this.items.set(event.eventId, structuredClone(event));
  }
  async listByCustomer(customerId: string) {
    return [...this.items.values()].filter((e) => e.stripeCustomerId === customerId);
  }
  async listAll() {
    return [...this.items.values()];
  }
  async remove(eventId: string) {
    this.items.delete(eventId);
  }
}

export class MemoryAudit implements AuditLog {
  readonly entries = new Map<string, AuditEntry>();
  async append(entry: AuditEntry) {
    const key = `${entry.userId}|${entry.entryId}`;
    if (!this.entries.has(key)) this.entries.set(key, entry);
  }
  forUser(userId: string) {
    return [...this.entries.values()]
      .filter((e) => e.userId === userId)
      .sort((a, b) => a.entryId.localeCompare(b.entryId));
  }
}

export class MemoryLedger implements WebhookLedger {
  readonly ids = new Set<string>();
  async has(eventId: string) {
    return this.ids.has(eventId);
  }
  async record(entry: { eventId: string }) {
    if (this.ids.has(entry.eventId)) return 'duplicate' as const;
    this.ids.add(entry.eventId);
    return 'recorded' as const;
  }
}

export const catalog = PlanCatalog.defaults();
/** 2026-01-10: inside the fixtures' billing period (2026-01-01 .. 2026-01-31). */
export const NOW = new Date('2026-01-10T00:00:00Z');

export function memoryDeps(overrides: Partial<DeliveryDeps> = {}) {
  const entitlements = new MemoryEntitlementStore();
  const profiles = new MemoryProfileStore();
  const groups = new MemoryGroupGateway();
  const stripe = new FakeStripe();
  const parked = new MemoryParked();
  const audit = new MemoryAudit();
  const ledger = new MemoryLedger();
  let now = NOW;
  const deps: DeliveryDeps = {
    entitlements,
    profiles,
    groups,
    stripe,
    parked,
    audit,
    ledger,
    catalog,
    policy: { gracePeriodDays: 7, paymentReversal: 'revoke' as const },
    clock: { now: () => now },
    verifier: verifierWith({ get: async () => TEST_WEBHOOK_SECRET, refresh: async () => TEST_WEBHOOK_SECRET }),
    ...overrides,
  };
  return {
    deps,
    entitlements,
    profiles,
    groups,
    stripe,
    parked,
    audit,
    ledger,
    setNow: (date: Date) => {
      now = date;
    },
  };
}

/** The production verifier (stripe-node on the raw body) over a given signing secret, at the tests' fixed time. */
export function verifierWith(secret: SigningSecret) {
  return new StripeSignatureVerifier(secret, { now: () => NOW });
}
