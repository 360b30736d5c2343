import { z } from 'zod';
import { CreditPacks } from '../domain/credit-packs';
import type { StatusWithCreditsView } from '../domain/credits-view';
import { SUBSCRIPTION_STATUSES } from '../domain/entitlement';
import type { PlanCatalog } from '../domain/plan-catalog';
import { BILLING_INTERVALS, type BillingInterval, type PlanId } from '../domain/plan-catalog-schema';
import type { SubscriptionStatusView } from '../domain/status-view';

/**
 * Request and response schemas of every frontend route: the single source for the handlers' validation AND the
 * OpenAPI document (lambdas/platform/openapi.ts). Pure module: zod only.
 *
 * Plans are catalog data (a stage may change them), so the checkout schema is built from the catalog.
 */

const isoDateTime = z.iso.datetime({ offset: true }).nullable();

/** A redirect target. Which origins are allowed is stage config, checked by lambdas/platform/redirects.ts. */
const redirectUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .max(2048)
  .meta({ description: 'Absolute URL on one of the allowed origins of this stage.' });

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, machine-readable code, e.g. `invalid_request`.' }),
      message: z.string().meta({ description: 'Human-readable explanation; names the offending field on 400.' }),
    }),
  })
  .meta({ description: 'Every error response has this shape.' });

export const subscriptionStatusResponseSchema = z
  .object({
    status: z.enum(['none', 'expired', 'revoked', ...SUBSCRIPTION_STATUSES]).meta({
      description:
        '`none`: never subscribed; `expired`: a trial or grace period ended (`trialEndsAt` says when a trial did); ' +
        '`revoked`: the payment for the current period was refunded or lost in a dispute (`revokedReason`); ' +
        'else the Stripe status.',
    }),
    revokedReason: z.enum(['refund', 'dispute']).nullable().meta({
      description: 'With status `revoked`: `refund` (fully refunded) or `dispute` (chargeback lost); else null.',
    }),
    plan: z.string().meta({ description: 'Plan id from the catalog (free, trial, starter, pro, ...).' }),
    entitled: z.boolean().meta({ description: 'Whether a paid plan or a running trial applies right now.' }),
    features: z.array(z.string()),
    groups: z.array(z.string()).meta({ description: 'Managed Cognito groups the user belongs to.' }),
    currentPeriodEnd: isoDateTime,
    trialEndsAt: isoDateTime,
    cancelAtPeriodEnd: z.boolean().meta({ description: 'The subscription ends at the end of the current period.' }),
    cancelAt: isoDateTime.meta({
      description:
        'When the subscription ends (access lasts until then): the period end, or a later date set in Stripe; null ' +
        'when it renews.',
    }),
    source: z.enum(['override', 'stripe', 'trial', 'free']).meta({
      description:
        '`override`: a plan granted by an operator (it wins while active; the Stripe state takes over when it ends); ' +
        '`stripe`: a Stripe subscription; `trial`: the no-card trial; `free`: nothing entitled.',
    }),
    overrideEndsAt: isoDateTime.meta({
      description: 'With source `override`: when the override ends (null: until revoked); else null.',
    }),
    entitlementsVersion: z.number().int().min(0).meta({ description: 'Increases on every change.' }),
    refreshTokens: z.boolean().meta({
      description: 'True when the groups in the caller token differ from the applied groups: refresh the tokens.',
    }),
  })
  .meta({ description: 'What the caller may do now, with time applied at read.' });

export type SubscriptionStatusResponse = z.infer<typeof subscriptionStatusResponseSchema>;

/** The schema and the domain's view stay one shape: this fails to compile when either side changes alone. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const STATUS_SCHEMA_MATCHES_VIEW: Same<SubscriptionStatusResponse, SubscriptionStatusView> = true;

/** GET /subscription/status: the subscription status and the caller's credit balance. */
export const statusWithCreditsResponseSchema = subscriptionStatusResponseSchema
  .extend({
    credits: z
      .object({
        balance: z
          .number()
          .int()
          .meta({
            description:
              'Credits left (0 when no pack was bought). Negative only when a refunded or disputed pack had already ' +
              'been spent: show it as owed, and consumption answers 409 until it is positive again.',
          }),
      })
      .meta({ description: 'Credits bought in packs (POST /checkout/sessions with `pack`).' }),
  })
  .meta({ description: 'What the caller may do now, with time applied at read, and the credits left.' });

export const STATUS_WITH_CREDITS_SCHEMA_MATCHES_VIEW: Same<
  z.infer<typeof statusWithCreditsResponseSchema>,
  StatusWithCreditsView
> = true;

/** Plans a customer can buy: those with at least one Stripe price. */
export function purchasablePlanIds(catalog: PlanCatalog): [PlanId, ...PlanId[]] {
  const ids = catalog.paidPlans().map((plan) => plan.id);
  const [first, ...rest] = ids;
  // A catalog with nothing to buy still yields a valid (never-matching) enum: checkout then always answers 400.
  return first === undefined ? ['enterprise'] : [first, ...rest];
}

/** Credit packs a customer can buy; none sold: any `pack` answers 400. */
function packField(packs: CreditPacks) {
  const [first, ...rest] = packs.ids();
  if (first === undefined) return z.never({ error: 'no credit packs are sold' });
  return z.enum([first, ...rest], { error: `must be one of: ${[first, ...rest].join(', ')}` });
}

const NO_PACKS = CreditPacks.parse({ packs: [] });

/**
 * `{ plan, interval }` (a subscription) or `{ pack, quantity? }` (a one-time credit pack), never both; parsed into
 * a tagged request.
 */
export function checkoutSessionRequestSchema(catalog: PlanCatalog, packs: CreditPacks = NO_PACKS) {
  const plans = purchasablePlanIds(catalog);
  const planError = `must be one of: ${plans.join(', ')}`;
  const intervalError = `must be one of: ${BILLING_INTERVALS.join(', ')}`;
  return z
    .strictObject(
      {
        plan: z.enum(plans, { error: planError }).optional(),
        interval: z.enum(BILLING_INTERVALS, { error: intervalError }).optional(),
        pack: packField(packs)
          .optional()
          .meta({ description: 'A one-time credit pack (instead of plan and interval).' }),
        quantity: z
          .number({ error: 'must be a whole number from 1 to 99' })
          .int({ error: 'must be a whole number from 1 to 99' })
          .min(1, { error: 'must be a whole number from 1 to 99' })
          .max(99, { error: 'must be a whole number from 1 to 99' })
          .optional()
          .meta({ description: "Units of the pack (default 1; at most the pack's limit)." }),
        successUrl: redirectUrl.optional(),
        cancelUrl: redirectUrl.optional(),
      },
      { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
    )
    .superRefine((body, ctx) => {
      const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
      if (body.pack !== undefined) {
        if (body.plan !== undefined) issue('plan', 'not with pack (a pack is a one-time purchase)');
        if (body.interval !== undefined) issue('interval', 'not with pack (a pack is a one-time purchase)');
        return;
      }
      if (body.quantity !== undefined) issue('quantity', 'only with pack');
      if (body.plan === undefined) issue('plan', planError);
      if (body.interval === undefined) issue('interval', intervalError);
    })
    .transform((body) => {
      const redirects = { successUrl: body.successUrl, cancelUrl: body.cancelUrl };
      return body.pack !== undefined
        ? { kind: 'pack' as const, pack: body.pack, quantity: body.quantity ?? 1, ...redirects }
        : {
            kind: 'plan' as const,
            plan: body.plan as PlanId,
            interval: body.interval as BillingInterval,
            ...redirects,
          };
    })
    .meta({
      description:
        'Starts a Stripe Checkout: a subscription to `plan` billed every `interval`, or a one-time purchase of ' +
        '`quantity` units of the credit pack `pack`.',
    });
}

export type CheckoutSessionRequest = z.infer<ReturnType<typeof checkoutSessionRequestSchema>>;

export const checkoutSessionResponseSchema = z.object({
  id: z.string().meta({ description: 'Stripe Checkout Session id (cs_...).' }),
  url: z.url().meta({ description: 'Redirect the browser here.' }),
});

export const portalSessionRequestSchema = z
  .strictObject(
    { returnUrl: redirectUrl.optional() },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
  )
  .meta({ description: 'Opens the Stripe customer portal; the body may be empty.' });

export type PortalSessionRequest = z.infer<typeof portalSessionRequestSchema>;

export const portalSessionResponseSchema = z.object({
  url: z.url().meta({ description: 'Redirect the browser here.' }),
});

/** Trial start takes no input; an empty body or `{}` is accepted. */
export const startTrialRequestSchema = z.strictObject(
  {},
  { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
);

/** A Cognito sub (a UUID in Cognito; kept loose for emulators and imports, but never free text). */
const subSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be a Cognito sub');

export const adminReconcileBodySchema = z.object({ apply: z.boolean(), user: subSchema.optional() }).strict();

export const syncHealthQuerySchema = z.object({ user: subSchema.optional(), after: subSchema.optional() }).strict();

/** POST /admin/overrides: the rules beyond the shape (plan in the catalog, end in the future, a reason) are the domain's. */
export const grantOverrideBodySchema = z
  .object({
    sub: subSchema.meta({ description: 'The Cognito sub of the user who gets the override.' }),
    plan: z.string().min(1).max(64).meta({ description: 'A plan id of the catalog (free, trial, starter, pro, ...).' }),
    endsAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .optional()
      .meta({ description: 'When the override ends (ISO-8601, in the future); absent or null: until revoked.' }),
    reason: z.string().max(500).optional().meta({ description: 'Why (required, recorded in the audit trail).' }),
  })
  .strict();

/** DELETE /admin/overrides?sub=...&reason=... */
export const revokeOverrideQuerySchema = z.object({ sub: subSchema, reason: z.string().max(500).optional() }).strict();
