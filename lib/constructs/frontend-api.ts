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
 * Each function gets exactly its contract (lambdas/platform/contracts.ts). Status, checkout, portal and trial share
 * the healing grants (contracts.ts HEALER: entitlement writer, profile read/write, audit, group sync, ListUsers,
 * the Stripe key): each heals a caller whose rows are missing. Consume gets Credits read/write and the AuditLog put; openapi
 * nothing.
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

    // Stripe calls are time-boxed at 5 s with one retry each; leave room for healing a caller (Cognito and Stripe
    // reads, a customer) and the session creation. Every route heals its caller, so every route may call Stripe.
    const stripeTimeout = { timeout: Duration.seconds(25) };
    const healing = { tables, userPool: api.userPool, secrets: { stripeApiKey: stripeSecret } };
    const status = make(
      'subscriptionStatus',
      'GET /subscription/status: entitlement read (heals a caller with missing rows)',
      stripeTimeout,
    ).useContract(CONTRACTS.subscriptionStatus, healing);
    const checkout = make('checkoutSession', 'POST /checkout/sessions: Stripe Checkout', stripeTimeout).useContract(
      CONTRACTS.checkoutSession,
      healing,
    );
    const portal = make(
      'billingPortal',
      'POST /billing/portal-sessions: Stripe customer portal',
      stripeTimeout,
    ).useContract(CONTRACTS.billingPortal, healing);
    for (const fn of [checkout, portal]) {
      for (const [name, value] of Object.entries(redirectEnv)) fn.addEnvironment(name, value);
    }

    const trial = make(
      'startTrial',
      'POST /subscription/trial: no-card trial, once per user',
      stripeTimeout,
    ).useContract(CONTRACTS.startTrial, healing);

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
