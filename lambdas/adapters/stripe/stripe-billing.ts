import type Stripe from 'stripe';
import { CodedConflictError, CodedNotConfiguredError } from '../../domain/coded-errors';
import { DependencyUnavailableError, dependencyError, InvalidInputError, isRetryable } from '../../domain/errors';
import type { CustomerGateway } from '../../ports/app-ports';
import type {
  BillingGateway,
  CheckoutSessionInput,
  PackCheckoutGateway,
  PackCheckoutInput,
} from '../../ports/billing-ports';
import { StripeCustomerGateway } from './stripe-customers';

/** Price ids change rarely (a new price replaces an old one under the same lookup key): re-check every 10 minutes. */
export const PRICE_CACHE_TTL_MS = 10 * 60 * 1000;

/** Stripe calls are time-boxed well inside the Lambda timeout; one SDK retry (idempotency keys make it safe). */
export const STRIPE_CALL_OPTIONS = { timeoutMs: 5_000, maxNetworkRetries: 1 } as const;

/** The Stripe client, resolved lazily: the secret key is read from Secrets Manager on first use. */
export type StripeProvider = () => Promise<Stripe>;

/** Stripe billing calls of the frontend routes; SDK errors become domain errors. */
export class StripeBillingGateway implements BillingGateway, PackCheckoutGateway {
  /** Per container (the gateway is built once per container by lambdaEntry). Misses are never cached. */
  private readonly prices = new Map<string, { id: string; fetchedAt: number }>();

  constructor(
    private readonly stripe: StripeProvider,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async priceIdForLookupKey(lookupKey: string): Promise<string | undefined> {
    const cached = this.prices.get(lookupKey);
    if (cached && this.nowMs() - cached.fetchedAt < PRICE_CACHE_TTL_MS) return cached.id;
    const page = await this.call('price lookup', async (stripe) =>
      stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 }),
    );
    const price = page.data[0];
    if (!price) return undefined;
    this.prices.set(lookupKey, { id: price.id, fetchedAt: this.nowMs() });
    return price.id;
  }

  async createCheckoutSession(input: CheckoutSessionInput): Promise<{ id: string; url: string }> {
    // `trial_days` on the session: its completion tells the webhook the trial is used (one per identity).
    const metadata = {
      cognito_sub: input.sub,
      plan: input.plan,
      interval: input.interval,
      ...(input.trialDays ? { trial_days: String(input.trialDays) } : {}),
    };
    const session = await this.call('checkout session create', (stripe) =>
      stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          customer: input.customerId,
          client_reference_id: input.sub,
          line_items: [{ price: input.priceId, quantity: 1 }],
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          metadata,
          subscription_data: {
            // The price sold with the plan: lets the webhook map this subscription while it stays on this price,
            // whatever happens to the price's lookup key (plan-mapping.ts, checkout claim).
            metadata: { ...metadata, price_id: input.priceId },
            ...(input.trialDays ? { trial_period_days: input.trialDays } : {}),
          },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    if (!session.url) {
      throw new DependencyUnavailableError('stripe', `checkout session ${session.id} came back without a url`);
    }
    return { id: session.id, url: session.url };
  }

  /**
   * Payment mode (https://docs.stripe.com/payments/checkout/how-checkout-works): the session's metadata pins the
   * pack and the credits sold (the webhook and reconcile credit from it); the PaymentIntent gets the sub and the
   * pack too (session metadata is not copied to it).
   */
  async createPackCheckoutSession(input: PackCheckoutInput): Promise<{ id: string; url: string }> {
    const metadata = {
      cognito_sub: input.sub,
      credit_pack: input.packId,
      quantity: String(input.quantity),
      credits: String(input.credits),
    };
    const session = await this.call('pack checkout session create', (stripe) =>
      stripe.checkout.sessions.create(
        {
          mode: 'payment',
          customer: input.customerId,
          client_reference_id: input.sub,
          line_items: [{ price: input.priceId, quantity: input.quantity }],
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          metadata,
          payment_intent_data: { metadata: { cognito_sub: input.sub, credit_pack: input.packId } },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    if (!session.url) {
      throw new DependencyUnavailableError('stripe', `checkout session ${session.id} came back without a url`);
    }
    return { id: session.id, url: session.url };
  }

  async createPortalSession(input: { customerId: string; returnUrl: string }): Promise<{ url: string }> {
    const session = await this.call('portal session create', (stripe) =>
      stripe.billingPortal.sessions.create({ customer: input.customerId, return_url: input.returnUrl }),
    ).catch((error: unknown) => {
      throw isPortalNotConfigured(error) ? portalNotConfigured(error) : error;
    });
    return { url: session.url };
  }

  /**
   * Runs one Stripe call. Network, rate-limit and 5xx failures -> DependencyUnavailableError (503, retry); an
   * idempotency clash -> 409; a parameter Stripe refuses (e.g. a redirect URL over its 5000 characters) -> 400 with
   * Stripe's message; anything else (a missing object, a portal without configuration) is rethrown as is.
   */
  private async call<T>(action: string, run: (stripe: Stripe) => Promise<T>): Promise<T> {
    let stripe: Stripe;
    try {
      stripe = await this.stripe();
    } catch (error) {
      throw dependencyError('stripe', `${action} (client set-up)`, error);
    }
    try {
      return await run(stripe);
    } catch (error) {
      if (isRetryable(error)) throw dependencyError('stripe', action, error);
      if ((error as { type?: string }).type === 'StripeIdempotencyError') {
        throw new CodedConflictError('request_in_progress', 'The same request is already being processed: retry.');
      }
      if (isRefusedParameter(error)) throw refusedParameter(error);
      throw error;
    }
  }
}

/**
 * Stripe refuses a portal session until the account has a default portal configuration (saved in the Dashboard or
 * made through the API): a 400 invalid_request_error "No configuration provided and your test|live mode default
 * configuration has not been created..." (https://docs.stripe.com/customer-management/configure-portal). It has no
 * error code of its own: recognised by type and message.
 */
function isPortalNotConfigured(error: unknown): boolean {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  return (
    type === 'StripeInvalidRequestError' &&
    typeof message === 'string' &&
    /default configuration has not been created/i.test(message)
  );
}

function portalNotConfigured(error: unknown): CodedNotConfiguredError {
  return new CodedNotConfiguredError(
    'portal_not_configured',
    `Stripe refused the portal session: ${(error as Error).message}`,
    'The billing portal is not set up for this Stripe account yet. Operator: save the customer portal settings in ' +
      'the Stripe Dashboard (Settings > Billing > Customer portal), or create a default configuration with the API.',
    { cause: error },
  );
}

/** Our request fields by the Stripe parameter they become. */
const FIELD_OF_PARAM: Record<string, string> = {
  success_url: 'successUrl',
  cancel_url: 'cancelUrl',
  return_url: 'returnUrl',
};

/**
 * A parameter Stripe refuses: a 400 `invalid_request_error` (https://docs.stripe.com/api/errors) other than a
 * missing object (`resource_missing`: a deleted customer, a misconfigured price, not the caller's to fix) and the
 * portal's missing configuration (an operator's to fix, answered 503 by createPortalSession).
 */
function isRefusedParameter(error: unknown): boolean {
  const { type, code, statusCode } = (error ?? {}) as { type?: unknown; code?: unknown; statusCode?: unknown };
  return (
    type === 'StripeInvalidRequestError' &&
    statusCode === 400 &&
    code !== 'resource_missing' &&
    !isPortalNotConfigured(error)
  );
}

function refusedParameter(error: unknown): InvalidInputError {
  const { message, param } = error as { message: string; param?: string };
  const field = param ? (FIELD_OF_PARAM[param] ?? param) : 'request';
  return new InvalidInputError(
    `${field}: Stripe refused it (${message}); send another value, or leave it out to use the default`,
    { cause: error },
  );
}

/** A CustomerGateway whose Stripe client is resolved on first use (handlers are built synchronously). */
export function lazyCustomerGateway(stripe: StripeProvider): CustomerGateway {
  return {
    createForUser: async (user) => new StripeCustomerGateway(await stripe()).createForUser(user),
    retrieve: async (customerId) => new StripeCustomerGateway(await stripe()).retrieve(customerId),
  };
}
