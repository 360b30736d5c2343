import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoEntitlementStore } from '../../../lambdas/adapters/dynamo/entitlement-store';
import { type EntitlementRecord, initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { FunctionContract } from '../../../lambdas/platform/contracts';
import { createRuntime } from '../../../lambdas/platform/runtime';
import { featureGate } from '../../../lambdas/wiring/feature-gate';
import { freePort } from '../../../local/emulators/cognito-local';
import { useEmulatorBackend } from '../../support/backend';
import { useLogCapture } from '../../support/logs';

/** The gate as a Lambda of this app builds it (wiring/feature-gate.ts), reading Entitlements in dynalite. */
const GATE_CONTRACT = { tables: { entitlements: ['GetItem'] }, secrets: [] } as const satisfies FunctionContract;

const catalog = PlanCatalog.defaults();
let seq = 0;
const newSub = () => `gate-${process.pid}-${Date.now()}-${++seq}`;

function eventFor(sub: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /reports',
    rawPath: '/reports',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { authorizer: { jwt: { claims: { sub }, scopes: null } } },
  } as unknown as APIGatewayProxyEventV2;
}

function proRecord(record: EntitlementRecord): EntitlementRecord {
  const pro = catalog.plan('pro');
  return {
    ...record,
    status: 'active',
    plan: 'pro',
    entitled: true,
    features: [...pro.features],
    groups: [pro.group],
    entitlementsVersion: record.entitlementsVersion + 1,
  };
}

describe('feature gate against dynalite', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const store = () => new DynamoEntitlementStore(backend().ddb, backend().tables.entitlements);

  it('denies a free user and lets them through once the Entitlements record says pro', async () => {
    // Prepare
    const sub = newSub();
    const record = initialEntitlementRecord(catalog, { sub }, new Date());
    await store().createIfAbsent(record);
    const gate = featureGate(createRuntime(GATE_CONTRACT, backend().env), { cache: { ttlMs: 0 } });
    const requireScheduledBackups = gate.requireFeature('scheduled-backups');

    // Act
    const before = await requireScheduledBackups(eventFor(sub));
    await store().writeIfVersion(proRecord(record), record.entitlementsVersion);
    const after = await requireScheduledBackups(eventFor(sub));

    // Assess
    expect(before?.statusCode).toBe(403);
    expect(JSON.parse(before?.body ?? '')).toMatchObject({
      error: { code: 'feature_not_in_plan', requiredFeature: 'scheduled-backups', currentPlan: 'free' },
    });
    expect(after).toBeUndefined();
  });

  it('serves a cached record within the TTL and reads the new one after it', async () => {
    // Prepare
    const sub = newSub();
    const record = initialEntitlementRecord(catalog, { sub }, new Date());
    await store().createIfAbsent(record);
    let ms = 0;
    const gate = featureGate(createRuntime(GATE_CONTRACT, backend().env), { cache: { ttlMs: 5_000, nowMs: () => ms } });

    // Act
    const first = await gate.check(sub, { plan: 'pro' });
    await store().writeIfVersion(proRecord(record), record.entitlementsVersion);
    ms = 4_000;
    const cached = await gate.check(sub, { plan: 'pro' });
    ms = 5_000;
    const fresh = await gate.check(sub, { plan: 'pro' });

    // Assess
    expect([first.allowed, cached.allowed, fresh.allowed]).toEqual([false, false, true]);
  });

  it('counts a user with no record as free', async () => {
    // Prepare
    const gate = featureGate(createRuntime(GATE_CONTRACT, backend().env));

    // Act
    const decision = await gate.check(newSub(), { feature: 'manual-backups' });

    // Assess
    expect(decision).toMatchObject({ allowed: true, plan: 'free', status: 'none' });
  });

  it('answers 503 when DynamoDB cannot be reached (fail closed), and fails at start for an unknown feature', async () => {
    // Prepare
    const logs = useLogCapture();
    const port = await freePort();
    const gate = featureGate(
      createRuntime(GATE_CONTRACT, { ...backend().env, DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` }),
    );

    // Act
    const response = await gate.requirePlan('pro')(eventFor(newSub()));

    // Assess
    expect(response?.statusCode).toBe(503);
    expect(JSON.parse(response?.body ?? '')).toMatchObject({ error: { code: 'service_unavailable' } });
    expect(logs.warnings()).toEqual(['Dependency unavailable']);
    expect(() => gate.requireFeature('scheduled-backup')).toThrow(
      'No plan in the catalog grants the feature "scheduled-backup"',
    );
  });
});
