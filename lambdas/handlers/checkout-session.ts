import { checkoutSessionRequestSchema } from '../platform/api-schemas';
import { CONTRACTS } from '../platform/contracts';
import { json } from '../platform/http';
import { jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type RedirectConfig, resolveRedirect } from '../platform/redirects';
import { type CheckoutDeps, createCheckoutSession } from '../use-cases/billing/create-checkout-session';
import { checkoutDeps } from '../wiring/frontend';

/** POST /checkout/sessions `{ plan, interval, successUrl?, cancelUrl? }` -> `{ id, url }`. */
export function createCheckoutSessionHandler(deps: CheckoutDeps & { redirects: RedirectConfig }) {
  const schema = checkoutSessionRequestSchema(deps.catalog);
  return jwtRoute(async (event, caller) => {
    const body = parseBody(event, schema);
    const { redirects } = deps;
    const successUrl = resolveRedirect(
      'successUrl',
      body.successUrl,
      redirects.checkoutSuccessUrl,
      redirects.allowedOrigins,
    );
    const cancelUrl = resolveRedirect(
      'cancelUrl',
      body.cancelUrl,
      redirects.checkoutCancelUrl,
      redirects.allowedOrigins,
    );
    const session = await createCheckoutSession(deps, {
      sub: caller.sub,
      plan: body.plan,
      interval: body.interval,
      successUrl,
      cancelUrl,
    });
    return json(201, session);
  });
}

const entry = lambdaEntry(CONTRACTS.checkoutSession, (runtime, env) =>
  createCheckoutSessionHandler(checkoutDeps(runtime, env)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
