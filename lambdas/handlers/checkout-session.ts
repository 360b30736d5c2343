import type { CreditPacks } from '../domain/credit-packs';
import { InvalidInputError } from '../domain/errors';
import { checkoutSessionRequestSchema } from '../platform/api-schemas';
import { CONTRACTS } from '../platform/contracts';
import { json } from '../platform/http';
import { jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type RedirectConfig, resolveRedirect } from '../platform/redirects';
import { type CheckoutDeps, createCheckoutSession } from '../use-cases/billing/create-checkout-session';
import { createPackCheckoutSession, type PackCheckoutDeps } from '../use-cases/billing/create-pack-checkout';
import { checkoutDeps } from '../wiring/frontend';

export type CheckoutHandlerDeps = CheckoutDeps & {
  redirects: RedirectConfig;
  /** Credit packs and their checkout; without them only subscriptions are sold. */
  packs?: { creditPacks: CreditPacks; billing: PackCheckoutDeps['billing'] };
};

/**
 * POST /checkout/sessions `{ plan, interval, successUrl?, cancelUrl? }` or `{ pack, quantity?, successUrl?,
 * cancelUrl? }` -> `{ id, url }`.
 */
export function createCheckoutSessionHandler(deps: CheckoutHandlerDeps) {
  const schema = checkoutSessionRequestSchema(deps.catalog, deps.packs?.creditPacks);
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
    const urls = { sub: caller.sub, successUrl, cancelUrl };
    const session =
      body.kind === 'plan'
        ? await createCheckoutSession(deps, { ...urls, plan: body.plan, interval: body.interval })
        : await createPackCheckoutSession(
            { ...deps, ...packsOf(deps) },
            { ...urls, pack: body.pack, quantity: body.quantity },
          );
    return json(201, session);
  });
}

function packsOf(deps: CheckoutHandlerDeps): NonNullable<CheckoutHandlerDeps['packs']> {
  if (!deps.packs) throw new InvalidInputError('pack: no credit packs are sold');
  return deps.packs;
}

const entry = lambdaEntry(CONTRACTS.checkoutSession, (runtime, env) =>
  createCheckoutSessionHandler(checkoutDeps(runtime, env)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
