import { DynamoEntitlementStore } from '../adapters/entitlement-store';
import { DynamoProfileStore } from '../adapters/profile-store';
import { lazyCustomerGateway, STRIPE_CALL_OPTIONS, StripeBillingGateway } from '../adapters/stripe-billing';
import { checkoutSessionRequestSchema } from '../core/api-schemas';
import { systemClock } from '../core/ports';
import { type RedirectConfig, redirectEnvSchema, resolveRedirect } from '../core/redirects';
import { parseEnv } from '../shared/config';
import { CONTRACTS } from '../shared/contracts';
import { json } from '../shared/http';
import { jwtRoute, parseBody } from '../shared/http-handler';
import { lambdaEntry } from '../shared/lambda-entry';
import { type CheckoutDeps, createCheckoutSession } from '../use-cases/create-checkout-session';

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

/** Built per environment: the redirect settings come from the same env record as the runtime. */
const entry = lambdaEntry(CONTRACTS.checkoutSession, (runtime, env) => {
  const stripe = () => runtime.stripe(STRIPE_CALL_OPTIONS);
  return createCheckoutSessionHandler({
    profiles: new DynamoProfileStore(runtime.ddb, runtime.tables.USER_PROFILES_TABLE),
    entitlements: new DynamoEntitlementStore(runtime.ddb, runtime.tables.ENTITLEMENTS_TABLE),
    customers: lazyCustomerGateway(stripe),
    billing: new StripeBillingGateway(stripe),
    catalog: runtime.catalog,
    clock: systemClock,
    redirects: parseEnv(redirectEnvSchema, env),
  });
});
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
