import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoOverrideDirectory } from '../../../../lambdas/adapters/dynamo/override-listing';
import { DynamoReconcileStateStore } from '../../../../lambdas/adapters/dynamo/reconcile-state';
import { createAdminReconcileHandler } from '../../../../lambdas/handlers/admin-reconcile';
import { systemClock } from '../../../../lambdas/ports/app-ports';
import { createAdminAccess } from '../../../../lambdas/use-cases/identity/admin-access';
import { reconcile } from '../../../../lambdas/use-cases/reconcile/reconcile';
import { linkedUser, managedGroupsOf, stores, subscribe, useReconcileWorld } from './support';

/** Overrides through the admin Lambda's handler against dynalite, cognito-local and the Stripe emulator. */

const world = useReconcileWorld();

function event(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, query?: Record<string, string>) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      authorizer: {
        jwt: { claims: { sub: 'admin-sub', email: 'ops@example.com', 'cognito:groups': ['admins'] }, scopes: [] },
      },
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

async function overrideWorld(tag: string) {
  const w = world();
  const user = await linkedUser(w, tag);
  await subscribe(w, user.customer, 'pro_monthly');
  // Reconcile brings the record and groups to Stripe's pro first.
  await reconcile(await w.deps(), { apply: true, trigger: 'admin', user: user.sub });
  const state = new DynamoReconcileStateStore(w.backend.ddb, w.backend.tables.reconcileState);
  const handler = createAdminReconcileHandler({
    reconcile: () => w.deps(),
    writer: () => w.deps(),
    overrides: new DynamoOverrideDirectory(w.backend.ddb, w.backend.tables.entitlements),
    lastRun: () => state.getLastRun(),
    clock: systemClock,
    admins: createAdminAccess({ groups: { listGroupsForUser: async () => ['admins'] } }),
  });
  return { w, user, handler };
}

async function auditOf(w: ReturnType<typeof world>, sub: string) {
  const page = await w.backend.ddb.send(
    new QueryCommand({
      TableName: w.backend.tables.auditLog,
      KeyConditionExpression: 'userId = :sub',
      ExpressionAttributeValues: { ':sub': sub },
    }),
  );
  return page.Items ?? [];
}

describe('operator overrides (admin routes, dynalite + cognito-local + Stripe emulator)', () => {
  it('grant -> reconcile keeps it and sync-health lists it -> revoke -> Stripe state at once', async () => {
    // Prepare
    const { w, user, handler } = await overrideWorld('override');
    const endsAt = new Date(Date.now() + 7 * 86_400_000).toISOString();

    // Act: grant
    const granted = await handler(
      event('POST', '/admin/overrides', { sub: user.sub, plan: 'enterprise', endsAt, reason: 'partner deal' }),
    );

    // Assess: stored with the Stripe state beneath, groups follow, audited with operator and reason
    expect(granted.statusCode).toBe(200);
    expect(JSON.parse(granted.body)).toMatchObject({
      sub: user.sub,
      changed: true,
      override: { plan: 'enterprise', endsAt, reason: 'partner deal', operator: { sub: 'admin-sub' } },
      status: { plan: 'enterprise', source: 'override', overrideEndsAt: endsAt, entitled: true },
    });
    const record = await stores(w).entitlements.get(user.sub);
    expect(record).toMatchObject({ plan: 'enterprise', beneath: { plan: 'pro', status: 'active' } });
    expect(await managedGroupsOf(w, user.username)).toEqual(['enterprise']);
    expect((await auditOf(w, user.sub)).filter((e) => e.eventType === 'override.granted')).toEqual([
      expect.objectContaining({
        oldPlan: 'pro',
        newPlan: 'enterprise',
        operatorSub: 'admin-sub',
        operatorEmail: 'ops@example.com',
        reason: 'partner deal',
        overrideEndsAt: endsAt,
      }),
    ]);

    // Act: a reconcile apply run and sync-health
    const run = await reconcile(await w.deps(), { apply: true, trigger: 'admin', user: user.sub });
    const health = await handler(event('GET', '/admin/sync-health', undefined, { user: user.sub }));

    // Assess: nothing "repaired" away, the override is listed
    expect(run.findings).toEqual([]);
    expect(await stores(w).entitlements.get(user.sub)).toMatchObject({ plan: 'enterprise' });
    expect(JSON.parse(health.body).overrides).toContainEqual(
      expect.objectContaining({ sub: user.sub, plan: 'enterprise', endsAt, active: true, reason: 'partner deal' }),
    );

    // Act: revoke
    const revoked = await handler(event('DELETE', '/admin/overrides', undefined, { sub: user.sub, reason: 'done' }));

    // Assess
    expect(revoked.statusCode).toBe(200);
    expect(JSON.parse(revoked.body)).toMatchObject({
      changed: true,
      override: null,
      status: { plan: 'pro', source: 'stripe' },
    });
    const after = await stores(w).entitlements.get(user.sub);
    expect(after).toMatchObject({ plan: 'pro' });
    expect(after?.override).toBeUndefined();
    expect(after?.beneath).toBeUndefined();
    expect(await managedGroupsOf(w, user.username)).toEqual(['pro']);
    expect((await auditOf(w, user.sub)).map((e) => e.eventType)).toContain('override.revoked');
  });

  it.each([
    ['unknown plan', { plan: 'platinum', reason: 'x' }, 'unknown_plan'],
    ['end date in the past', { plan: 'pro', reason: 'x', endsAt: '2020-01-01T00:00:00Z' }, 'end_date_in_past'],
    ['missing reason', { plan: 'pro' }, 'reason_required'],
    ['a malformed end date', { plan: 'pro', reason: 'x', endsAt: 'next week' }, 'invalid_request'],
  ])('refuses %s with 400 %s and writes nothing', async (_name, body, code) => {
    // Prepare
    const { w, user, handler } = await overrideWorld(`bad-${code}`);
    const before = await stores(w).entitlements.get(user.sub);

    // Act
    const response = await handler(event('POST', '/admin/overrides', { sub: user.sub, ...body }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe(code);
    expect(await stores(w).entitlements.get(user.sub)).toEqual(before);
    expect((await auditOf(w, user.sub)).filter((e) => String(e.eventType).startsWith('override'))).toEqual([]);
  });

  it('answers 404 user_not_found for an unknown sub', async () => {
    const { handler } = await overrideWorld('unknown');
    const response = await handler(
      event('POST', '/admin/overrides', { sub: 'no-such-user', plan: 'pro', reason: 'x' }),
    );
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).error.code).toBe('user_not_found');
  });
});
