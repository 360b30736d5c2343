import type { PaymentReversalAction } from './payment-facts';

/** The per-stage settings of the entitlement policy (grace, payment reversals, paused collection). */

export interface EntitlementPolicy {
  gracePeriodDays: number;
  /**
   * A full refund or lost dispute of the charge that paid a subscription's latest non-zero invoice: `revoke` ends
   * that subscription's access, `flag` keeps it and marks the entitlement, `ignore` does neither.
   */
  paymentReversal: PaymentReversalAction;
  /**
   * A subscription whose payment collection is paused (`pause_collection`, status stays active): `keep` access
   * (Stripe's documented meaning: the service is offered for free meanwhile; the default) or `revoke` it (shown as
   * `paused`) until collection resumes.
   */
  pausedCollection?: PausedCollectionAccess;
}

export const PAUSED_COLLECTION_ACCESS = ['keep', 'revoke'] as const;
export type PausedCollectionAccess = (typeof PAUSED_COLLECTION_ACCESS)[number];
