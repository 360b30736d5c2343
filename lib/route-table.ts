/**
 * Every HTTP route the product serves, with the handler module behind it. Pure data shared by CDK (each feature's
 * construct adds its routes from here) and the local gateway (which serves exactly these routes with the same
 * handlers), so the two cannot drift. Each handler module exports `handler` and `handlerFromEnv`.
 */
export interface RouteDefinition {
  id: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /**
   * `jwt`: the HTTP API's Cognito JWT authorizer; `none`: public (Stripe signs its own requests); `entitlements`:
   * the entitlements Lambda authorizer (lib/constructs/entitlements-authorizer.ts) enforcing `requires`.
   */
  auth: 'jwt' | 'none' | 'entitlements';
  /** For `entitlements` routes: `feature:<name>` or `plan:<id>` (what GATE_REQUIREMENT carries). */
  requires?: string;
  /** Handler module, relative to the repository root. */
  entry: string;
}

export const ROUTES = {
  stripeWebhook: {
    id: 'StripeWebhook',
    method: 'POST',
    path: '/webhooks/stripe',
    auth: 'none',
    entry: 'lambdas/handlers/stripe-webhook.ts',
  },
  subscriptionStatus: {
    id: 'SubscriptionStatus',
    method: 'GET',
    path: '/subscription/status',
    auth: 'jwt',
    entry: 'lambdas/handlers/subscription-status.ts',
  },
  checkoutSession: {
    id: 'CheckoutSession',
    method: 'POST',
    path: '/checkout/sessions',
    auth: 'jwt',
    entry: 'lambdas/handlers/checkout-session.ts',
  },
  billingPortal: {
    id: 'BillingPortal',
    method: 'POST',
    path: '/billing/portal-sessions',
    auth: 'jwt',
    entry: 'lambdas/handlers/billing-portal.ts',
  },
  startTrial: {
    id: 'StartTrial',
    method: 'POST',
    path: '/subscription/trial',
    auth: 'jwt',
    entry: 'lambdas/handlers/start-trial.ts',
  },
  consumeCredits: {
    id: 'ConsumeCredits',
    method: 'POST',
    path: '/credits/consume',
    auth: 'jwt',
    entry: 'lambdas/handlers/consume-credits.ts',
  },
  deleteAccount: {
    id: 'DeleteAccount',
    method: 'DELETE',
    path: '/account',
    auth: 'jwt',
    entry: 'lambdas/handlers/delete-account.ts',
  },
  openApi: { id: 'OpenApi', method: 'GET', path: '/openapi.json', auth: 'none', entry: 'lambdas/handlers/openapi.ts' },
  syncHealth: {
    id: 'SyncHealth',
    method: 'GET',
    path: '/admin/sync-health',
    auth: 'jwt',
    entry: 'lambdas/handlers/admin-reconcile.ts',
  },
  adminReconcile: {
    id: 'AdminReconcile',
    method: 'POST',
    path: '/admin/reconcile',
    auth: 'jwt',
    entry: 'lambdas/handlers/admin-reconcile.ts',
  },
  grantOverride: {
    id: 'GrantOverride',
    method: 'POST',
    path: '/admin/overrides',
    auth: 'jwt',
    entry: 'lambdas/handlers/admin-reconcile.ts',
  },
  revokeOverride: {
    id: 'RevokeOverride',
    method: 'DELETE',
    path: '/admin/overrides',
    auth: 'jwt',
    entry: 'lambdas/handlers/admin-reconcile.ts',
  },
  exampleReports: {
    id: 'ExampleReports',
    method: 'GET',
    path: '/example/reports',
    auth: 'entitlements',
    requires: 'feature:scheduled-backups',
    entry: 'lambdas/handlers/example-reports.ts',
  },
  exampleTeam: {
    id: 'ExampleTeam',
    method: 'GET',
    path: '/example/team',
    auth: 'jwt',
    entry: 'lambdas/handlers/example-reports.ts',
  },
} as const satisfies Record<string, RouteDefinition>;

/** How long API Gateway caches an entitlements authorizer's answer for one token (the construct's default). */
export const DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS = 60;

export type RouteKey = keyof typeof ROUTES;
