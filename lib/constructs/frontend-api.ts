import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { ROUTES, type RouteKey } from '../route-table';
import type { ApiStack } from '../stacks/api-stack';
import { AppFunction } from './app-function';

/** Group membership calls the status (heal) and trial Lambdas make; nothing else on the pool. */
export const GROUP_ACTIONS = ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminRemoveUserFromGroup'];

export interface FrontendApiProps {
  /** The stack the Lambdas live in; its data (tables, Stripe secret) and user pool are used. */
  readonly api: ApiStack;
}

/**
 * The frontend routes: one Lambda per route with per-function least privilege, each added to the HTTP API from the
 * shared route table (paths and handler modules are defined once, in lib/route-table.ts).
 *
 * | route                          | grants                                                              |
 * |--------------------------------|---------------------------------------------------------------------|
 * | GET  /subscription/status      | Entitlements rw + UserProfiles rw + group add/remove (heal)         |
 * | POST /checkout/sessions        | UserProfiles rw (link customer), Entitlements read, Stripe secret   |
 * | POST /billing/portal-sessions  | UserProfiles read, Stripe secret                                    |
 * | POST /subscription/trial       | Entitlements rw, group add/remove                                   |
 * | GET  /openapi.json (public)    | nothing                                                             |
 */
export class FrontendApi extends Construct {
  readonly functions: Readonly<Record<'status' | 'checkout' | 'portal' | 'trial' | 'openApi', AppFunction>>;

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

    const status = make('subscriptionStatus', 'GET /subscription/status: entitlement read (heals missing profiles)')
      .useTables(tables, 'readWrite', 'entitlements', 'userProfiles')
      .useUserPool(api.userPool, ...GROUP_ACTIONS);

    // Stripe calls are time-boxed at 5 s with one retry each; leave room for customer + session creation.
    const stripeTimeout = { timeout: Duration.seconds(25) };
    const checkout = make('checkoutSession', 'POST /checkout/sessions: Stripe Checkout', stripeTimeout)
      .useTables(tables, 'readWrite', 'userProfiles')
      .useTables(tables, 'read', 'entitlements')
      .useSecret(stripeSecret, 'STRIPE_SECRET_ARN');
    const portal = make('billingPortal', 'POST /billing/portal-sessions: Stripe customer portal', stripeTimeout)
      .useTables(tables, 'read', 'userProfiles')
      .useSecret(stripeSecret, 'STRIPE_SECRET_ARN');
    for (const fn of [checkout, portal]) {
      for (const [name, value] of Object.entries(redirectEnv)) fn.addEnvironment(name, value);
    }

    const trial = make('startTrial', 'POST /subscription/trial: no-card trial, once per user')
      .useTables(tables, 'readWrite', 'entitlements')
      .useUserPool(api.userPool, ...GROUP_ACTIONS);

    const openApi = make('openApi', 'GET /openapi.json: the API description (public)', {});

    const routes: [RouteKey, AppFunction][] = [
      ['subscriptionStatus', status],
      ['checkoutSession', checkout],
      ['billingPortal', portal],
      ['startTrial', trial],
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

    this.functions = { status, checkout, portal, trial, openApi };
  }
}
