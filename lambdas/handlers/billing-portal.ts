import { DynamoProfileStore } from '../adapters/profile-store';
import { STRIPE_CALL_OPTIONS, StripeBillingGateway } from '../adapters/stripe-billing';
import { portalSessionRequestSchema } from '../core/api-schemas';
import { type RedirectConfig, redirectEnvSchema, resolveRedirect } from '../core/redirects';
import { parseEnv } from '../shared/config';
import { CONTRACTS } from '../shared/contracts';
import { json } from '../shared/http';
import { jwtRoute, parseBody } from '../shared/http-handler';
import { lambdaEntry } from '../shared/lambda-entry';
import { createPortalSession, type PortalDeps } from '../use-cases/create-portal-session';

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
