import type { ChargeFacts, DisputeFacts, InvoiceFacts } from './payment-facts';

/** A customer's payment facts as the Entitlements record keeps them (the facts themselves: payment-facts.ts). */

/** Per-customer payment facts (payment-facts.ts). Every field only moves one way: any delivery order agrees. */
export interface BillingState {
  invoices: Record<string, InvoiceFacts>;
  charges: Record<string, ChargeFacts>;
  disputes: Record<string, DisputeFacts>;
  /** `customer.deleted`: every subscription state at or before this second reads as canceled. */
  customerDeletedAt: number | null;
  /**
   * First time (epoch s) a Stripe trial was seen: a subscription `trialing` or with a `trial_end`, or a checkout that
   * granted one. The user's trial is then used for good (one trial per identity).
   */
  trialGrantedAt: number | null;
}

export function emptyBillingState(): BillingState {
  return { invoices: {}, charges: {}, disputes: {}, customerDeletedAt: null, trialGrantedAt: null };
}

/**
 * The billing state of a stored record. Records written before per-object facts have `lastRefundAt`/`lastPaidAt`
 * and disputes without their charge: those cannot be tied to a subscription's payment and are dropped.
 */
export function billingStateOf(stored: Partial<BillingState> | undefined): BillingState {
  const disputes = Object.fromEntries(
    Object.entries(stored?.disputes ?? {}).filter(([, dispute]) => typeof dispute?.chargeId === 'string'),
  );
  return {
    invoices: { ...(stored?.invoices ?? {}) },
    charges: { ...(stored?.charges ?? {}) },
    disputes,
    customerDeletedAt: stored?.customerDeletedAt ?? null,
    trialGrantedAt: stored?.trialGrantedAt ?? null,
  };
}
