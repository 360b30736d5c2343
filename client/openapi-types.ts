/**
 * Generated from docs/openapi.json by openapi-typescript (npx tsx scripts/generate-client-types.ts). Do not edit.
 */
export interface paths {
  '/subscription/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The caller entitlement, time applied at read, and credit balance (never cached). */
    get: operations['getSubscriptionStatus'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/checkout/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Start a Stripe Checkout for a subscription or a one-time credit pack. */
    post: operations['createCheckoutSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/billing/portal-sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Open the Stripe customer portal for the caller. */
    post: operations['createPortalSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/subscription/trial': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Start the no-card trial (once per user). */
    post: operations['startTrial'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/credits/consume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Consume credits once per idempotency key (the `Idempotency-Key` header or `idempotencyKey`): atomic, never below zero; a replay within 24 hours answers the first result. */
    post: operations['consumeCredits'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/account': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete the caller account: Stripe subscriptions and customer per stage settings, the Cognito user, the rows. Needs a sign-in within the last 5 minutes. Idempotent: a repeated request answers the same. */
    delete: operations['deleteAccount'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/overrides': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Operators: grant a user a plan until `endsAt` or until revoked, with a reason (audited). It wins while active; the Stripe state is kept beneath it and takes over when it ends. Refusals write nothing: 400 `unknown_plan`, `end_date_in_past`, `reason_required`, `invalid_request`; 404 `user_not_found`. */
    post: operations['grantOverride'];
    /** Operators: revoke a user override (audited, with the optional reason): the Stripe state applies at once. A user without an override answers `changed: false`. */
    delete: operations['revokeOverride'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This document. */
    get: operations['getOpenApiDocument'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description Every error response has this shape. */
    Error: {
      error: {
        /** @description Stable, machine-readable code, e.g. `invalid_request`. */
        code: string;
        /** @description Human-readable explanation; names the offending field on 400. */
        message: string;
      };
    };
    /** @description What the caller may do now, with time applied at read. */
    SubscriptionStatus: {
      /**
       * @description `none`: never subscribed; `expired`: a trial or grace period ended (`trialEndsAt` says when a trial did); `revoked`: the payment for the current period was refunded or lost in a dispute (`revokedReason`); else the Stripe status.
       * @enum {string}
       */
      status:
        | 'none'
        | 'expired'
        | 'revoked'
        | 'incomplete'
        | 'incomplete_expired'
        | 'trialing'
        | 'active'
        | 'past_due'
        | 'canceled'
        | 'unpaid'
        | 'paused';
      /** @description With status `revoked`: `refund` (fully refunded) or `dispute` (chargeback lost); else null. */
      revokedReason: ('refund' | 'dispute') | null;
      /** @description Plan id from the catalog (free, trial, starter, pro, ...). */
      plan: string;
      /** @description Whether a paid plan or a running trial applies right now. */
      entitled: boolean;
      features: string[];
      /** @description Managed Cognito groups the user belongs to. */
      groups: string[];
      currentPeriodEnd: string | null;
      trialEndsAt: string | null;
      /** @description The subscription ends at the end of the current period. */
      cancelAtPeriodEnd: boolean;
      /** @description When the subscription ends (access lasts until then): the period end, or a later date set in Stripe; null when it renews. */
      cancelAt: string | null;
      /**
       * @description `override`: a plan granted by an operator (it wins while active; the Stripe state takes over when it ends); `stripe`: a Stripe subscription; `trial`: the no-card trial; `free`: nothing entitled.
       * @enum {string}
       */
      source: 'override' | 'stripe' | 'trial' | 'free';
      /** @description With source `override`: when the override ends (null: until revoked); else null. */
      overrideEndsAt: string | null;
      /** @description Increases on every change. */
      entitlementsVersion: number;
      /** @description True when the groups in the caller token differ from the applied groups: refresh the tokens. */
      refreshTokens: boolean;
    };
    /** @description What the caller may do now, with time applied at read, and the credits left. */
    SubscriptionStatusWithCredits: {
      /**
       * @description `none`: never subscribed; `expired`: a trial or grace period ended (`trialEndsAt` says when a trial did); `revoked`: the payment for the current period was refunded or lost in a dispute (`revokedReason`); else the Stripe status.
       * @enum {string}
       */
      status:
        | 'none'
        | 'expired'
        | 'revoked'
        | 'incomplete'
        | 'incomplete_expired'
        | 'trialing'
        | 'active'
        | 'past_due'
        | 'canceled'
        | 'unpaid'
        | 'paused';
      /** @description With status `revoked`: `refund` (fully refunded) or `dispute` (chargeback lost); else null. */
      revokedReason: ('refund' | 'dispute') | null;
      /** @description Plan id from the catalog (free, trial, starter, pro, ...). */
      plan: string;
      /** @description Whether a paid plan or a running trial applies right now. */
      entitled: boolean;
      features: string[];
      /** @description Managed Cognito groups the user belongs to. */
      groups: string[];
      currentPeriodEnd: string | null;
      trialEndsAt: string | null;
      /** @description The subscription ends at the end of the current period. */
      cancelAtPeriodEnd: boolean;
      /** @description When the subscription ends (access lasts until then): the period end, or a later date set in Stripe; null when it renews. */
      cancelAt: string | null;
      /**
       * @description `override`: a plan granted by an operator (it wins while active; the Stripe state takes over when it ends); `stripe`: a Stripe subscription; `trial`: the no-card trial; `free`: nothing entitled.
       * @enum {string}
       */
      source: 'override' | 'stripe' | 'trial' | 'free';
      /** @description With source `override`: when the override ends (null: until revoked); else null. */
      overrideEndsAt: string | null;
      /** @description Increases on every change. */
      entitlementsVersion: number;
      /** @description True when the groups in the caller token differ from the applied groups: refresh the tokens. */
      refreshTokens: boolean;
      /** @description Credits bought in packs (POST /checkout/sessions with `pack`). */
      credits: {
        /** @description Credits left (0 when no pack was bought). Negative only when a refunded or disputed pack had already been spent: show it as owed, and consumption answers 409 until it is positive again. */
        balance: number;
      };
    };
    /** @description Starts a Stripe Checkout: a subscription to `plan` billed every `interval`, or a one-time purchase of `quantity` units of the credit pack `pack`. */
    CheckoutSessionRequest: {
      /** @enum {string} */
      plan?: 'starter' | 'pro' | 'business' | 'enterprise';
      /** @enum {string} */
      interval?: 'month' | 'year';
      /**
       * @description A one-time credit pack (instead of plan and interval).
       * @enum {string}
       */
      pack?: 'credits_100' | 'credits_500';
      /** @description Units of the pack (default 1; at most the pack's limit). */
      quantity?: number;
      /**
       * Format: uri
       * @description Absolute URL on one of the allowed origins of this stage.
       */
      successUrl?: string;
      /**
       * Format: uri
       * @description Absolute URL on one of the allowed origins of this stage.
       */
      cancelUrl?: string;
    };
    CheckoutSession: {
      /** @description Stripe Checkout Session id (cs_...). */
      id: string;
      /**
       * Format: uri
       * @description Redirect the browser here.
       */
      url: string;
    };
    /** @description Opens the Stripe customer portal; the body may be empty. */
    PortalSessionRequest: {
      /**
       * Format: uri
       * @description Absolute URL on one of the allowed origins of this stage.
       */
      returnUrl?: string;
    };
    PortalSession: {
      /**
       * Format: uri
       * @description Redirect the browser here.
       */
      url: string;
    };
    /** @description The account is gone; the same answer for a repeated request. */
    AccountDeleted: {
      /** @constant */
      deleted: true;
      /**
       * Format: date-time
       * @description When the deletion finished.
       */
      deletedAt: string;
      /**
       * @description What happened to the Stripe subscriptions: ended at once, or left to run out at the end of the paid period.
       * @enum {string}
       */
      subscriptions: 'cancel-now' | 'cancel-at-period-end' | 'keep';
      /**
       * @description What happened to the Stripe customer: deleted, or kept for accounting without personal data and link (`none`: there was none).
       * @enum {string}
       */
      customer: 'delete' | 'anonymise' | 'keep' | 'none';
    };
    GrantOverrideRequest: {
      /** @description The Cognito sub of the user who gets the override. */
      sub: string;
      /** @description A plan id of the catalog (free, trial, starter, pro, ...). */
      plan: string;
      /** @description When the override ends (ISO-8601, in the future); absent or null: until revoked. */
      endsAt?: string | null;
      /** @description Why (required, recorded in the audit trail). */
      reason?: string;
    };
    /** @description The user override and status after a grant or a revoke. */
    OverrideResult: {
      /** @description The Cognito sub of the user. */
      sub: string;
      /** @description False when the request changed nothing (a revoke without an override). */
      changed: boolean;
      /** @description The override now; null after a revoke. */
      override: {
        /** @description The plan granted (a plan id of the catalog). */
        plan: string;
        /** @description When the override ends; null: until revoked. */
        endsAt: string | null;
        /** @description Why it was granted (recorded in the audit trail). */
        reason: string;
        /** @description The operator who granted it (the caller of the grant). */
        operator: {
          sub: string;
          email?: string;
        };
        /** Format: date-time */
        grantedAt: string;
      } | null;
      /** @description The user status as GET /subscription/status shows it now. */
      status: components['schemas']['SubscriptionStatus'];
    };
    /** @description Consumes `amount` credits once per idempotency key, given as the `Idempotency-Key` header or the `idempotencyKey` field (both: they must be equal). */
    ConsumeCreditsRequest: {
      /** @description Credits to consume. */
      amount: number;
      /** @description Any unique value per intended consumption (a UUID); the `Idempotency-Key` header instead. */
      idempotencyKey?: string;
    };
    /** @description The credits are consumed. */
    CreditsConsumed: {
      /** @description Credits debited by this key. */
      consumed: number;
      /** @description The balance right after this consumption. */
      balance: number;
      /** @description True when the key was used before: this is its first answer, nothing was debited again. */
      replayed: boolean;
    };
    /** @description Not enough credits: nothing was debited. */
    InsufficientCredits: {
      error: {
        /** @constant */
        code: 'insufficient_credits';
        message: string;
      };
      credits: {
        /** @description The balance now (may be negative). */
        balance: number;
      };
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getSubscriptionStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Current status and credit balance. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SubscriptionStatusWithCredits'];
        };
      };
      /** @description Missing, expired or invalid token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found (e.g. `user_not_found` on an admin route). */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Unexpected error (details are logged, never returned). */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Stripe or DynamoDB is temporarily unavailable; retry after the `Retry-After` seconds. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createCheckoutSession: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CheckoutSessionRequest'];
      };
    };
    responses: {
      /** @description Session created; redirect to `url`. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CheckoutSession'];
        };
      };
      /** @description Malformed JSON or a field that fails validation; the message names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing, expired or invalid token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found (e.g. `user_not_found` on an admin route). */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict with the current state. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Unexpected error (details are logged, never returned). */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Stripe or DynamoDB is temporarily unavailable; retry after the `Retry-After` seconds. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createPortalSession: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['PortalSessionRequest'];
      };
    };
    responses: {
      /** @description Session created; redirect to `url`. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PortalSession'];
        };
      };
      /** @description Malformed JSON or a field that fails validation; the message names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing, expired or invalid token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found (e.g. `user_not_found` on an admin route). */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Unexpected error (details are logged, never returned). */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Stripe or DynamoDB is temporarily unavailable (`service_unavailable`: retry after the `Retry-After` seconds), or `portal_not_configured`: the Stripe account has no customer-portal configuration yet (an operator must save the portal settings in the Stripe Dashboard; retrying does not help until then). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  startTrial: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Trial started; the new status. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SubscriptionStatus'];
        };
      };
      /** @description Malformed JSON or a field that fails validation; the message names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing, expired or invalid token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found (e.g. `user_not_found` on an admin route). */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict with the current state. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Unexpected error (details are logged, never returned). */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Stripe or DynamoDB is temporarily unavailable; retry after the `Retry-After` seconds. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  consumeCredits: {
    parameters: {
      query?: never;
      header?: {
        /** @description Required unless the body has `idempotencyKey` (both: equal). 1 to 255 printable ASCII. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ConsumeCreditsRequest'];
      };
    };
    responses: {
      /** @description Consumed (or the first answer of a replayed key). */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreditsConsumed'];
        };
      };
      /** @description Malformed JSON or a field that fails validation; the message names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing, expired or invalid token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description `insufficient_credits` (body `InsufficientCredits`, with the balance; nothing debited) or `idempotency_key_reused` (the key consumed another amount). */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientCredits'] | components['schemas']['Error'];
        };
      };
      /** @description Unexpected error (details are logged, never returned). */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Stripe or DynamoDB is temporarily unavailable; retry after the `Retry-After` seconds. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteAccount: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The account is deleted. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AccountDeleted'];
        };
      };
      /** @description Missing, expired or invalid token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The token is valid but not enough for this route (e.g. `reauthentication_required`: sign in again first; `forbidden`: an admin route and the caller is not in `admins` now). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Unexpected error (details are logged, never returned). */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Stripe or DynamoDB is temporarily unavailable; retry after the `Retry-After` seconds. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  grantOverride: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['GrantOverrideRequest'];
      };
    };
    responses: {
      /** @description The override is stored; the user status now. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OverrideResult'];
        };
      };
      /** @description Malformed JSON or a field that fails validation; the message names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing, expired or invalid token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The token is valid but not enough for this route (e.g. `reauthentication_required`: sign in again first; `forbidden`: an admin route and the caller is not in `admins` now). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found (e.g. `user_not_found` on an admin route). */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict with the current state. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Unexpected error (details are logged, never returned). */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Stripe or DynamoDB is temporarily unavailable; retry after the `Retry-After` seconds. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  revokeOverride: {
    parameters: {
      query: {
        sub: string;
        reason?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The override is gone; the user status now. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OverrideResult'];
        };
      };
      /** @description Malformed JSON or a field that fails validation; the message names the field. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing, expired or invalid token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The token is valid but not enough for this route (e.g. `reauthentication_required`: sign in again first; `forbidden`: an admin route and the caller is not in `admins` now). */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found (e.g. `user_not_found` on an admin route). */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict with the current state. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Unexpected error (details are logged, never returned). */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Stripe or DynamoDB is temporarily unavailable; retry after the `Retry-After` seconds. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getOpenApiDocument: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OpenAPI 3.1 document. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': unknown;
        };
      };
    };
  };
}
