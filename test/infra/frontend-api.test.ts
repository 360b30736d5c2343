import { describe, expect, it } from 'vitest';
import type { AppFunction } from '../../lib/constructs/app-function';
import type { FrontendApi } from '../../lib/constructs/frontend-api';
import { ROUTES } from '../../lib/route-table';
import { createTestApp, templateOf } from './support';

interface PolicyStatement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

describe('FrontendApi', () => {
  const testApp = createTestApp();
  const template = templateOf(testApp.api);
  const frontend = testApp.api.node.findChild('FrontendApi') as FrontendApi;

  /** Every statement of the policies attached to one function's role (resolved to template JSON). */
  function statementsOf(fn: AppFunction): PolicyStatement[] {
    const roleId = testApp.api.getLogicalId(fn.role.node.defaultChild as never);
    const policies = template.findResources('AWS::IAM::Policy');
    return Object.values(policies)
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
  }
  const actionsOf = (fn: AppFunction) =>
    new Set(statementsOf(fn).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
  /** Resources of the statements that carry any action of `prefix` (e.g. `dynamodb:`). */
  const resourcesFor = (fn: AppFunction, prefix: string) =>
    JSON.stringify(
      statementsOf(fn)
        .filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith(prefix)))
        .map((s) => s.Resource),
    );

  it('adds each JWT route with the JWT authorizer and the OpenAPI route without auth', () => {
    // Prepare
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    const byKey = new Map(routes.map((r) => [r.RouteKey, r]));
    // Act / Assess
    const jwtRoutes = [
      ROUTES.subscriptionStatus,
      ROUTES.checkoutSession,
      ROUTES.billingPortal,
      ROUTES.startTrial,
      ROUTES.consumeCredits,
    ];
    for (const route of jwtRoutes) {
      expect(byKey.get(`${route.method} ${route.path}`)?.AuthorizationType, route.path).toBe('JWT');
      expect(byKey.get(`${route.method} ${route.path}`)?.AuthorizerId).toBeDefined();
    }
    expect(byKey.get('GET /openapi.json')?.AuthorizationType).toBe('NONE');
  });

  it('gives each route its own Lambda', () => {
    // Act
    const fns = Object.values(frontend.functions).map((f) => f.fn.node.path);
    // Assess
    expect(new Set(fns).size).toBe(6);
  });

  it('never grants a wildcard action', () => {
    for (const fn of Object.values(frontend.functions)) {
      for (const action of actionsOf(fn)) expect(action, fn.node.path).not.toMatch(/\*/);
    }
  });

  // Every JWT route heals its caller (lambdas/use-cases/reconcile/heal-user.ts): the same healing grants each.
  for (const key of ['status', 'checkout', 'portal', 'trial'] as const) {
    it(`${key}: the healing grants (profile and record read/write, audit, group sync, ListUsers, the Stripe key)`, () => {
      // Prepare
      const fn = frontend.functions[key];
      const actions = [...actionsOf(fn)];
      // Assess
      expect(actions.filter((a) => a.startsWith('cognito-idp:')).sort()).toEqual([
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminRemoveUserFromGroup',
        'cognito-idp:ListUsers',
      ]);
      const dynamo = resourcesFor(fn, 'dynamodb:');
      expect(dynamo).toMatch(/EntitlementsTable/);
      expect(dynamo).toMatch(/UserProfilesTable/);
      expect(dynamo).not.toMatch(/WebhookEvents|ParkedEvents|ReconcileState/);
      expect(actions.filter((a) => a.startsWith('dynamodb:') && /Delete|Scan|Query/.test(a))).toEqual([]);
      expect(resourcesFor(fn, 'dynamodb:UpdateItem')).toMatch(/UserProfilesTable/);
      expect(resourcesFor(fn, 'dynamodb:PutItem')).toMatch(/AuditLog/);
      expect(resourcesFor(fn, 'secretsmanager:')).toMatch(/StripeApiKey/);
      expect(resourcesFor(fn, 'secretsmanager:')).not.toMatch(/WebhookSigningSecret/);
    });
  }

  it('consume: Credits read/write and AuditLog put only; no Stripe, Cognito or Entitlements', () => {
    // Prepare
    const fn = frontend.functions.consume;
    const actions = [...actionsOf(fn)];
    // Assess
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(resourcesFor(fn, 'dynamodb:')).toMatch(/CreditsTable/);
    expect(resourcesFor(fn, 'dynamodb:')).toMatch(/AuditLogTable/);
    expect(resourcesFor(fn, 'dynamodb:')).not.toMatch(/EntitlementsTable|UserProfilesTable/);
    expect(actions.some((a) => /^(secretsmanager|cognito-idp):/.test(a))).toBe(false);
  });

  it('openapi: no data, secret or Cognito access at all', () => {
    // Act
    const actions = [...actionsOf(frontend.functions.openApi)];
    // Assess
    expect(actions.filter((a) => /^(dynamodb|secretsmanager|cognito-idp):/.test(a))).toEqual([]);
  });

  it('passes the stage origins to the redirecting Lambdas, and secrets only by ARN', () => {
    // Prepare
    const env = (fn: AppFunction) =>
      template.findResources('AWS::Lambda::Function')[testApp.api.getLogicalId(fn.fn.node.defaultChild as never)]
        ?.Properties.Environment.Variables;
    // Act
    const checkout = env(frontend.functions.checkout);
    const portal = env(frontend.functions.portal);
    // Assess
    expect(checkout.ALLOWED_ORIGINS).toBe('http://localhost:5173,http://localhost:3000');
    expect(portal.ALLOWED_ORIGINS).toBe(checkout.ALLOWED_ORIGINS);
    expect(checkout.STRIPE_SECRET_ARN).toBeDefined();
    expect(checkout.STRIPE_SECRET_KEY).toBeUndefined();
    expect(env(frontend.functions.status).USER_POOL_ID).toBeDefined();
  });
});
