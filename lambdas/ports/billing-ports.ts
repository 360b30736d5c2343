/**
 * Port for the Stripe billing calls the frontend routes make (checkout and portal sessions, price lookup).
 * lambdas/adapters/stripe/stripe-billing.ts implements it with the Stripe SDK; unit tests with a hand double.
 */

export interface CheckoutSessionInput {
  customerId: string;
  priceId: string;
  /** Cognito sub: becomes client_reference_id and subscription_data.metadata.cognito_sub. */
  sub: string;
  plan: string;
  interval: string;
  successUrl: string;
  cancelUrl: string;
  /** Offered only to a user who never had a trial. */
  trialDays?: number;
  /** Same key for the same request in a short window: a double click opens one session, not two. */
  idempotencyKey: string;
}

export interface BillingGateway {
  /** The active price with this lookup key, or undefined when Stripe has none. */
  priceIdForLookupKey(lookupKey: string): Promise<string | undefined>;
  createCheckoutSession(input: CheckoutSessionInput): Promise<{ id: string; url: string }>;
  createPortalSession(input: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
}

export interface PackCheckoutInput {
  customerId: string;
  priceId: string;
  /** Cognito sub: becomes client_reference_id and metadata.cognito_sub (session and PaymentIntent). */
  sub: string;
  packId: string;
  quantity: number;
  /** Credits the purchase adds (pack credits x quantity), pinned at sale in the session's metadata. */
  credits: number;
  successUrl: string;
  cancelUrl: string;
  idempotencyKey: string;
}

/** Checkout in payment mode for a credit pack (implemented by the same Stripe billing adapter). */
export interface PackCheckoutGateway {
  createPackCheckoutSession(input: PackCheckoutInput): Promise<{ id: string; url: string }>;
}

/**
 * One trial per identity, beyond one account: a durable mark keyed by the normalised email (the adapter normalises
 * and hashes it), so an account re-created with the same address after a deletion gets no second trial. Both
 * calls are idempotent.
 */
export interface TrialMarkStore {
  isTrialUsed(email: string): Promise<boolean>;
  markTrialUsed(email: string, now: Date): Promise<void>;
}
