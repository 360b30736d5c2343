import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createOpenApiHandler } from '../../../lambdas/handlers/openapi';
import { buildOpenApiDocument } from '../../../lambdas/platform/openapi';
import { ROUTES } from '../../../lib/route-table';
import { OPENAPI_PATH, renderOpenApi } from '../../../scripts/generate-openapi';
import { catalog, jwtEvent } from '../../support/api-doubles';

describe('OpenAPI document', () => {
  it('is committed as docs/openapi.json exactly as generated (run `npx tsx scripts/generate-openapi.ts`)', () => {
    // Act
    const committed = readFileSync(OPENAPI_PATH, 'utf8');
    // Assess
    expect(committed).toBe(renderOpenApi());
  });

  it('documents every frontend and override route of the route table with its auth', () => {
    // Prepare
    const doc = buildOpenApiDocument(catalog) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const frontend = [
      ROUTES.subscriptionStatus,
      ROUTES.checkoutSession,
      ROUTES.billingPortal,
      ROUTES.startTrial,
      ROUTES.deleteAccount,
      ROUTES.grantOverride,
      ROUTES.revokeOverride,
      ROUTES.openApi,
    ];
    // Act / Assess
    for (const route of frontend) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation?.security).toEqual(route.auth === 'jwt' ? [{ cognitoJwt: [] }] : []);
    }
  });

  it('documents the override routes: the grant body, the revoke query, one result schema that reuses the status', () => {
    // Act
    const doc = buildOpenApiDocument(catalog) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    };
    const overrides = doc.paths['/admin/overrides'];

    // Assess
    expect(overrides?.post?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/GrantOverrideRequest' } } },
    });
    expect(overrides?.delete?.parameters).toEqual([
      expect.objectContaining({ name: 'sub', in: 'query', required: true }),
      expect.objectContaining({ name: 'reason', in: 'query', required: false }),
    ]);
    for (const method of ['post', 'delete']) {
      expect(overrides?.[method]?.responses).toMatchObject({
        '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/OverrideResult' } } } },
        '403': {},
        '404': {},
      });
    }
    const { GrantOverrideRequest, OverrideResult } = doc.components.schemas;
    expect(GrantOverrideRequest?.required).toEqual(['sub', 'plan']);
    expect(OverrideResult?.properties.status).toMatchObject({ $ref: '#/components/schemas/SubscriptionStatus' });
    expect(OverrideResult?.required).toEqual(['sub', 'changed', 'override', 'status']);
  });

  it('takes the purchasable plans from the catalog', () => {
    // Act
    const doc = buildOpenApiDocument(catalog) as {
      components: { schemas: { CheckoutSessionRequest: { properties: { plan: { enum: string[] } } } } };
    };
    // Assess
    expect(doc.components.schemas.CheckoutSessionRequest.properties.plan.enum).toEqual([
      'starter',
      'pro',
      'business',
      'enterprise',
    ]);
  });

  it('is served by GET /openapi.json without auth', async () => {
    // Prepare
    const handle = createOpenApiHandler({ catalog });
    // Act
    const result = await handle(jwtEvent({ claims: null }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    expect(JSON.parse(result.body)).toEqual(JSON.parse(renderOpenApi()));
  });
});
