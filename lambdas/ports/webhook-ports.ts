import type { AuditEntry } from '../domain/audit-entry';
import type { ChargeRead } from '../domain/payment-facts';
import type { StripeCustomerRef } from './app-ports';

/** Ports of the Stripe webhook use cases (adapters in lambdas/adapters, in-memory doubles in tests). */

/** Ledger of processed Stripe event ids: written only after an event's effects succeeded. */
export interface WebhookLedger {
  has(eventId: string): Promise<boolean>;
  /** Conditional put: 'duplicate' when another delivery recorded it first. */
  record(entry: { eventId: string; type: string; outcome: string }, now: Date): Promise<'recorded' | 'duplicate'>;
}

/** `unfit`: a handled event whose object our schema cannot read (re-applied once a deploy can read it). */
export type ParkReason = 'unresolved' | 'conflict' | 'unfit';

export interface ParkedEvent {
  eventId: string;
  type: string;
  /** Empty when the event names no customer. */
  stripeCustomerId: string;
  reason: ParkReason;
  detail: string;
  /** The verified event JSON, re-applied as is once the user can be resolved (or, unfit, once it can be read). */
  payload: string;
  createdAt: string;
}

export interface ParkedEventStore {
  /** Idempotent: parking the same event twice keeps the first record. */
  park(event: ParkedEvent): Promise<void>;
  listByCustomer(stripeCustomerId: string): Promise<ParkedEvent[]>;
  listAll(): Promise<ParkedEvent[]>;
  remove(eventId: string): Promise<void>;
}

export type { AuditEntry } from '../domain/audit-entry';

export interface AuditLog {
  /** Conditional put: an entry that exists already is kept (redelivery never duplicates). */
  append(entry: AuditEntry): Promise<void>;
}

/** Read side of Stripe the webhook needs: only on ties, unresolvable users, refunds and disputes. */
export interface SubscriptionSource {
  /** Every subscription of the customer (any status), as raw Stripe objects (normalised by the caller). */
  listForCustomer(customerId: string): Promise<unknown[]>;
  retrieveCustomer(customerId: string): Promise<StripeCustomerRef | undefined>;
  /**
   * A charge as Stripe has it now (customer, amounts) and the invoice it paid, if any, through Stripe's invoice
   * payments; undefined for an unknown charge. Refund and dispute events are decided on it (a dispute names only its
   * charge; a refund's later failure changes the charge, not the event that reported the refund).
   */
  readCharge(chargeId: string): Promise<Omit<ChargeRead, 'readAt'> | undefined>;
}

/**
 * Checks a delivery's signature on the raw body and returns the parsed event. Throws SignatureRejectedError for a
 * bad signature, NotConfiguredError when the signing secret is not set, SyntaxError for a body that is not JSON.
 */
export interface EventVerifier {
  verify(payload: string, signature: string): Promise<unknown>;
}
