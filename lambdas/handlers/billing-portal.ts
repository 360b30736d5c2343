import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { STRIPE_CALL_OPTIONS, StripeBillingGateway } from '../adapters/stripe/stripe-billing';
import { portalSessionRequestSchema } from '../platform/api-schemas';
import { parseEnv } from '../platform/config';
import { CONTRACTS } from '../platform/contracts';
import { json } from '../platform/http';
import { jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type RedirectConfig, redirectEnvSchema, resolveRedirect } from '../platform/redirects';
import { createPortalSession, type PortalDeps } from '../use-cases/billing/create-portal-session';

/** POST /billing/portal-sessions `{ returnUrl? }` -> `{ url }` of the Stripe customer portal. */
export function createBillingPortalHandler(deps: PortalDeps & { redirects: RedirectConfig }) {
  return jwtRoute(async (event, caller) => {
    const body = parseBody(event, portalSessionRequestSchema);
    const { redirects } = deps;
    const returnUrl = resolveRedirect('returnUrl', body.returnUrl, redirects.portalReturnUrl, redirects.allowedOrigins);
    return json(201, await createPortalSession(deps, { sub: caller.sub, returnUrl }));
  });
}

/** Built per environment: the redirect settings come from the same env record as the runtime. */
const entry = lambdaEntry(CONTRACTS.billingPortal, (runtime, env) =>
  createBillingPortalHandler({
    profiles: new DynamoProfileStore(runtime.ddb, runtime.tables.USER_PROFILES_TABLE),
    billing: new StripeBillingGateway(() => runtime.stripe(STRIPE_CALL_OPTIONS)),
    redirects: parseEnv(redirectEnvSchema, env),
  }),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
