import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoReconcileStateStore } from '../../../../lambdas/adapters/dynamo/reconcile-state';
import { createAdminReconcileHandler } from '../../../../lambdas/handlers/admin-reconcile';
import { createReconcileScheduledHandler } from '../../../../lambdas/handlers/reconcile-scheduled';
import { systemClock } from '../../../../lambdas/ports/app-ports';
import { createAdminAccess } from '../../../../lambdas/use-cases/identity/admin-access';
import { reconcile } from '../../../../lambdas/use-cases/reconcile/reconcile';
import { confirmedUser, kindsBySub, linkedUser, stores, subscribe, useReconcileWorld } from './support';

const world = useReconcileWorld();

function adminEvent(method: 'GET' | 'POST', groups: string[], body?: unknown, query?: Record<string, string>) {
  const path = method === 'GET' ? '/admin/sync-health' : '/admin/reconcile';
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      authorizer: { jwt: { claims: { sub: 'admin-sub', 'cognito:groups': groups }, scopes: [] } },
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

describe('reconcile runs: resume, lease, schedule and admin routes', () => {
  it('resumes an interrupted apply run from its checkpoint, then reports zero drift', async () => {
    // Prepare: six users without profiles.
    const w = world();
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => confirmedUser(w, `resume-${n}`)));
    const subs = users.map((u) => u.sub).sort();
    let batches = 0;

    // Act: the first run stops after one batch of two users (as if the Lambda were near its time limit).
    const first = await reconcile(await w.deps({ batchSize: 2 }), {
      apply: true,
      trigger: 'schedule',
      shouldStop: () => {
        batches += 1;
        return batches > 1;
      },
    });
    const checkpoint = await new DynamoReconcileStateStore(
      w.backend.ddb,
      w.backend.tables.reconcileState,
    ).getCheckpoint('all');
    const second = await reconcile(await w.deps({ batchSize: 2 }), { apply: true, trigger: 'schedule' });
    const after = await reconcile(await w.deps(), { apply: false, trigger: 'cli' });

    // Assess
    expect(first.status).toBe('partial');
    expect(first.usersChecked).toBe(2);
    expect(first.nextAfter).toBe(subs[1]);
    expect(checkpoint).toMatchObject({ runId: first.runId, afterSub: subs[1], usersChecked: 2 });
    expect(second.status).toBe('complete');
    expect(second.runId).toBe(first.runId);
    expect(second.resumedAfter).toBe(subs[1]);
    expect(second.usersChecked).toBe(4);
    expect(second.run?.usersChecked).toBe(6);
    expect(Object.keys(kindsBySub(first.findings))).toEqual(subs.slice(0, 2));
    expect(Object.keys(kindsBySub(second.findings))).toEqual(subs.slice(2));
    for (const user of users) expect(await stores(w).profiles.get(user.sub)).toBeDefined();
    expect(after.findings).toEqual([]);
  });

  it('does nothing while another apply run holds the lease', async () => {
    // Prepare
    const w = world();
    const user = await confirmedUser(w, 'locked');
    const state = new DynamoReconcileStateStore(w.backend.ddb, w.backend.tables.reconcileState);
    expect(await state.acquireLease('all', 'other-run', new Date(), 600)).toBe(true);

    // Act
    const report = await reconcile(await w.deps(), { apply: true, trigger: 'cli' });
    await state.releaseLease('all', 'other-run');

    // Assess
    expect(report.status).toBe('locked');
    expect(report.findings).toEqual([]);
    expect(await stores(w).profiles.get(user.sub)).toBeUndefined();
  });

  it('lets the scheduled handler stop near the Lambda time limit and resume on the next invocation', async () => {
    // Prepare
    const w = world();
    const user = await confirmedUser(w, 'scheduled');
    const handler = createReconcileScheduledHandler({ reconcile: () => w.deps(), safetyMarginMs: 1000 });

    // Act
    const stopped = await handler({ source: 'aws.scheduler' }, { getRemainingTimeInMillis: () => 500 });
    const ran = await handler({ source: 'aws.scheduler' }, { getRemainingTimeInMillis: () => 600_000 });

    // Assess
    expect(stopped).toMatchObject({ status: 'partial', usersChecked: 0 });
    expect(ran).toMatchObject({ status: 'complete' });
    expect(await stores(w).profiles.get(user.sub)).toBeDefined();
  });

  async function adminRouteWorld(tag: string, liveGroups: string[] = ['admins']) {
    const w = world();
    const user = await linkedUser(w, tag);
    await subscribe(w, user.customer, 'pro_yearly');
    const state = new DynamoReconcileStateStore(w.backend.ddb, w.backend.tables.reconcileState);
    const handler = createAdminReconcileHandler({
      reconcile: () => w.deps(),
      writer: () => w.deps(),
      lastRun: () => state.getLastRun(),
      clock: systemClock,
      // What Cognito lists for the caller now (the token's claim is set per event).
      admins: createAdminAccess({ groups: { listGroupsForUser: async () => liveGroups } }),
    });
    return { w, user, handler };
  }

  it('rejects a token that still claims admins when Cognito no longer lists the caller there (403)', async () => {
    // Prepare
    const { w, user, handler } = await adminRouteWorld('removed-admin', ['free']);

    // Act
    const response = await handler(adminEvent('POST', ['admins'], { apply: true, user: user.sub }));

    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error.code).toBe('forbidden');
    expect(await stores(w).entitlements.get(user.sub)).toMatchObject({ plan: 'free' });
  });

  it('rejects non-admins (403) and invalid bodies (400) on the admin routes, writing nothing', async () => {
    // Prepare
    const { w, user, handler } = await adminRouteWorld('non-admin');

    // Act
    const getAsUser = await handler(adminEvent('GET', ['pro']));
    const postAsUser = await handler(adminEvent('POST', ['free'], { apply: true, user: user.sub }));
    const badBody = await handler(adminEvent('POST', ['admins'], { apply: 'yes', drop: 1 }));
    const badQuery = await handler(adminEvent('GET', ['admins'], undefined, { user: 'not a sub!' }));

    // Assess
    expect(getAsUser.statusCode).toBe(403);
    expect(postAsUser.statusCode).toBe(403);
    expect(JSON.parse(postAsUser.body).error.code).toBe('forbidden');
    expect(badBody.statusCode).toBe(400);
    expect(JSON.parse(badBody.body)).toEqual({
      error: {
        code: 'invalid_request',
        message: 'apply: Invalid input: expected boolean, received string; drop: unknown field',
      },
    });
    expect(badQuery.statusCode).toBe(400);
    expect(JSON.parse(badQuery.body)).toEqual({
      error: { code: 'invalid_request', message: 'user: must be a Cognito sub' },
    });
    expect(await stores(w).entitlements.get(user.sub)).toMatchObject({ plan: 'free' });
  });

  it('serves admins: sync-health reports, reconcile applies, the next report is clean', async () => {
    // Prepare
    const { w, user, handler } = await adminRouteWorld('admin');

    // Act
    const health = await handler(adminEvent('GET', ['admins'], undefined, { user: user.sub }));
    const repaired = await handler(adminEvent('POST', ['admins', 'free'], { apply: true, user: user.sub }));
    const healthAfter = await handler(adminEvent('GET', ['admins'], undefined, { user: user.sub }));

    // Assess
    expect(health.statusCode).toBe(200);
    expect(kindsBySub(JSON.parse(health.body).report.findings)).toEqual({
      [user.sub]: ['entitlement-mismatch', 'groups-mismatch'],
    });
    expect(repaired.statusCode).toBe(200);
    expect(JSON.parse(repaired.body).report).toMatchObject({ mode: 'apply', status: 'complete' });
    expect(JSON.parse(healthAfter.body).report.findings).toEqual([]);
    expect(await stores(w).entitlements.get(user.sub)).toMatchObject({ plan: 'pro', entitled: true });
  });
});
