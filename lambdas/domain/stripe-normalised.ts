import type { PackSale } from './credit-ledger';
import type { SubscriptionStatus } from './entitlement';
import type { ChargeRead, DisputeOutcome } from './payment-facts';
import type { StripePriceLike } from './plan-catalog';
import type { HandledEventType } from './stripe-envelope';

/** The small internal form every handled event becomes, whatever its API version: what the policy and the ordering read. */

/** Subscription state as the policy reads it, from either API-version shape. Times are epoch seconds. */
export interface NormalisedSubscription {
  id: string;
  customerId: string;
  status: SubscriptionStatus;
  prices: StripePriceLike[];
  /** The price that decides the plan, for logs (lookup key or id). */
  priceLabel: string;
  /** Stripe's `cancel_at_period_end`, or a `cancel_at` exactly at the period end. */
  cancelAtPeriodEnd: boolean;
  /** When the subscription ends (`cancel_at`, any date: this period's end or a later one), else null. */
  cancelAt?: number | null;
  /** `pause_collection`: Stripe collects no payment (status stays `active`) until `resumesAt` (null: no end set). */
  pauseCollection?: { behavior: string; resumesAt: number | null } | null;
  currentPeriodStart: number | null;
  /** The billing period's real end (renewals move it), whatever `cancel_at` says. */
  currentPeriodEnd: number | null;
  trialEnd: number | null;
  metadataSub: string | null;
  /**
   * What our checkout wrote on the subscription (`metadata.plan` + `metadata.price_id`): the plan it sold with that
   * price. Null when absent (subscriptions made elsewhere, or before checkout wrote the price id).
   */
  checkoutClaim?: { plan: string; priceId: string } | null;
}

/** The part of an event that matters to entitlements, one variant per family of event types. */
export type StripeSignal =
  | { kind: 'subscription'; subscription: NormalisedSubscription }
  | {
      kind: 'invoice';
      invoiceId: string;
      /** paid: `invoice.paid`/`payment_succeeded`; failed: `payment_failed`; closed: voided or uncollectible. */
      outcome: 'paid' | 'failed' | 'closed';
      subscriptionId: string | null;
      /** Cents paid (0 for a $0 invoice); null when the payload does not say. */
      amountPaid: number | null;
      metadataSub: string | null;
    }
  | {
      kind: 'checkout';
      sessionId: string;
      clientReferenceId: string | null;
      metadataSub: string | null;
      subscriptionId: string | null;
      email: string | null;
      /** Our checkout offered a trial (`metadata.trial_days`): the user's trial is used once it completes. */
      trialGranted: boolean;
    }
  | {
      /**
       * A payment-mode Checkout (a credit pack): `checkout.session.completed`, `async_payment_succeeded/_failed`.
       * `sale` is what our checkout pinned in the session metadata (null: not a pack sale); `paid` is Stripe's
       * `payment_status: paid` (a delayed payment completes `unpaid` and is paid by `async_payment_succeeded`).
       */
      kind: 'credit-purchase';
      sessionId: string;
      clientReferenceId: string | null;
      metadataSub: string | null;
      paid: boolean;
      sale: PackSale | null;
    }
  | { kind: 'customer-deleted'; metadataSub: string | null; email: string | null }
  | {
      kind: 'refund';
      chargeId: string;
      /** From `charge.refunded` (the charge at that moment); null for a refund object's events (no charge totals). */
      full: boolean | null;
      metadataSub: string | null;
      /** The charge as Stripe has it now: read by the webhook before applying (refund and dispute events). */
      charge?: ChargeRead;
    }
  | {
      kind: 'dispute';
      disputeId: string;
      chargeId: string;
      outcome: DisputeOutcome;
      fundsReinstated: boolean;
      charge?: ChargeRead;
    };

export interface NormalisedEvent {
  id: string;
  type: HandledEventType;
  /** Epoch seconds (1 s resolution: ties are common). */
  created: number;
  apiVersion: string | null;
  /** Null when the object names no customer (a dispute names its charge: resolved through Stripe). */
  customerId: string | null;
  signal: StripeSignal;
}
