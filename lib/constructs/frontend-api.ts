import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { ROUTES, type RouteKey } from '../route-table';
import type { ApiStack } from '../stacks/api-stack';
import { AppFunction } from './app-function';

export interface FrontendApiProps {
  /** The stack the Lambdas live in; its data (tables, Stripe secret) and user pool are used. */
  readonly api: ApiStack;
}

/**
 * The frontend routes: one Lambda per route with per-function least privilege, each added to the HTTP API from the
 * shared route table (paths and handler modules are defined once, in lib/route-table.ts).
 *
 * Each function gets exactly its contract (lambdas/platform/contracts.ts): status (entitlement writer, profile
 * read/heal, group sync), checkout (profile read/link, entitlement read, Stripe key), portal (profile read, Stripe
 * key), trial (entitlement writer, group sync), consume (Credits read/write, AuditLog put), openapi (nothing).
 */
export class FrontendApi extends Construct {
  readonly functions: Readonly<Record<'status' | 'checkout' | 'portal' | 'trial' | 'consume' | 'openApi', AppFunction>>;

  constructor(scope: Construct, id: string, props: FrontendApiProps) {
    super(scope, id);
    const { api } = props;
    const { config } = api;
    const tables = api.data.tables;
    const stripeSecret = api.data.stripeSecrets.apiKey;
    const redirectEnv = { ALLOWED_ORIGINS: config.allowedOrigins.join(',') };

    const make = (key: RouteKey, description: string, extra: { timeout?: Duration } = {}) =>
      new AppFunction(this, ROUTES[key].id, {
        entry: ROUTES[key].entry,
        config,
        description,
        serviceName: ROUTES[key].id,
        ...extra,
      });

    const status = make(
      'subscriptionStatus',
      'GET /subscription/status: entitlement read (heals missing profiles)',
    ).useContract(CONTRACTS.subscriptionStatus, { tables, userPool: api.userPool });

    // Stripe calls are time-boxed at 5 s with one retry each; leave room for customer + session creation.
    const stripeTimeout = { timeout: Duration.seconds(25) };
    const checkout = make('checkoutSession', 'POST /checkout/sessions: Stripe Checkout', stripeTimeout).useContract(
      CONTRACTS.checkoutSession,
      { tables, secrets: { stripeApiKey: stripeSecret } },
    );
    const portal = make(
      'billingPortal',
      'POST /billing/portal-sessions: Stripe customer portal',
      stripeTimeout,
    ).useContract(CONTRACTS.billingPortal, { tables, secrets: { stripeApiKey: stripeSecret } });
    for (const fn of [checkout, portal]) {
      for (const [name, value] of Object.entries(redirectEnv)) fn.addEnvironment(name, value);
    }

    const trial = make('startTrial', 'POST /subscription/trial: no-card trial, once per user').useContract(
      CONTRACTS.startTrial,
      { tables, userPool: api.userPool },
    );

    const consume = make('consumeCredits', 'POST /credits/consume: debit credits once per idempotency key').useContract(
      CONTRACTS.consumeCredits,
      { tables },
    );

    const openApi = make('openApi', 'GET /openapi.json: the API description (public)', {}).useContract(
      CONTRACTS.openApi,
      { tables },
    );

    const routes: [RouteKey, AppFunction][] = [
      ['subscriptionStatus', status],
      ['checkoutSession', checkout],
      ['billingPortal', portal],
      ['startTrial', trial],
      ['consumeCredits', consume],
    ];
    for (const [key, fn] of routes) {
      const route = ROUTES[key];
      api.addLambdaRoute({ path: route.path, method: HttpMethod[route.method], fn: fn.fn, auth: 'jwt' });
    }
    api.addLambdaRoute({
      path: ROUTES.openApi.path,
      method: HttpMethod.GET,
      fn: openApi.fn,
      auth: 'none',
      publicReason: 'The OpenAPI document describes the public contract of the API; it holds no user data.',
    });

    this.functions = { status, checkout, portal, trial, consume, openApi };
  }
}
