import { portalSessionRequestSchema } from '../platform/api-schemas';
import { CONTRACTS } from '../platform/contracts';
import { json } from '../platform/http';
import { jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type RedirectConfig, resolveRedirect } from '../platform/redirects';
import { createPortalSession, type PortalDeps } from '../use-cases/billing/create-portal-session';
import { portalDeps } from '../wiring/frontend';

/** POST /billing/portal-sessions `{ returnUrl? }` -> `{ url }` of the Stripe customer portal. */
export function createBillingPortalHandler(deps: PortalDeps & { redirects: RedirectConfig }) {
  return jwtRoute(async (event, caller) => {
    const body = parseBody(event, portalSessionRequestSchema);
    const { redirects } = deps;
    const returnUrl = resolveRedirect('returnUrl', body.returnUrl, redirects.portalReturnUrl, redirects.allowedOrigins);
    return json(201, await createPortalSession(deps, { sub: caller.sub, returnUrl }));
  });
}

const entry = lambdaEntry(CONTRACTS.billingPortal, (runtime, env) =>
  createBillingPortalHandler(portalDeps(runtime, env)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
