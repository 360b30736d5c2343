import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { lazyCustomerGateway, STRIPE_CALL_OPTIONS, StripeBillingGateway } from '../adapters/stripe/stripe-billing';
import { checkoutSessionRequestSchema } from '../platform/api-schemas';
import { parseEnv } from '../platform/config';
import { CONTRACTS } from '../platform/contracts';
import { json } from '../platform/http';
import { jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type RedirectConfig, redirectEnvSchema, resolveRedirect } from '../platform/redirects';
import { systemClock } from '../ports/app-ports';
import { type CheckoutDeps, createCheckoutSession } from '../use-cases/billing/create-checkout-session';

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
