import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createEntitlementsClient,
  EntitlementsApiError,
  isApiError,
  type OverrideResult,
  type SubscriptionStatus,
  type TrialStatus,
} from '../../../client/entitlements-client';
import { CLIENT_TYPES_PATH, renderClientTypes } from '../../../scripts/generate-client-types';

const STATUS: SubscriptionStatus = {
  status: 'active',
  revokedReason: null,
  plan: 'pro',
  entitled: true,
  features: ['scheduled-backups'],
  groups: ['pro'],
  currentPeriodEnd: null,
  trialEndsAt: null,
  cancelAtPeriodEnd: false,
  cancelAt: null,
  source: 'stripe',
  overrideEndsAt: null,
  entitlementsVersion: 3,
  refreshTokens: false,
  credits: { balance: 0 },
};

/** A fetch that answers from a table and records what it was asked. */
function fakeFetch(answer: (url: string, init?: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), ...(init ? { init } : {}) });
    return answer(String(input), init);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('client types', () => {
  it('are client/openapi-types.ts exactly as generated from docs/openapi.json (npx tsx scripts/generate-client-types.ts)', async () => {
    // Act
    const generated = await renderClientTypes();

    // Assess
    expect(readFileSync(CLIENT_TYPES_PATH, 'utf8')).toBe(generated);
  });
});

describe('createEntitlementsClient', () => {
  it('sends the current token and JSON bodies to the documented routes', async () => {
    // Prepare
    let token = 'first';
    const { fetch, calls } = fakeFetch((url) =>
      url.endsWith('/checkout/sessions') ? json(201, { id: 'cs_1', url: 'https://pay' }) : json(200, STATUS),
    );
    const client = createEntitlementsClient({ baseUrl: 'https://api.example.com/', getToken: () => token, fetch });

    // Act
    await client.status();
    token = 'second';
    const session = await client.checkout({ plan: 'pro', interval: 'month' });

    // Assess
    expect(session).toEqual({ id: 'cs_1', url: 'https://pay' });
    expect(
      calls.map((c) => [c.url, c.init?.method, (c.init?.headers as Record<string, string> | undefined)?.authorization]),
    ).toEqual([
      ['https://api.example.com/subscription/status', 'GET', 'Bearer first'],
      ['https://api.example.com/checkout/sessions', 'POST', 'Bearer second'],
    ]);
    expect(calls[1]?.init?.body).toBe('{"plan":"pro","interval":"month"}');
  });

  it('calls onRefreshTokens when the status says the token is stale, and waits for it', async () => {
    // Prepare
    const refreshed: (SubscriptionStatus | TrialStatus)[] = [];
    const { fetch } = fakeFetch(() => json(200, { ...STATUS, refreshTokens: true }));
    const client = createEntitlementsClient({
      baseUrl: 'https://api.example.com',
      getToken: () => 't',
      onRefreshTokens: async (status) => {
        await Promise.resolve();
        refreshed.push(status);
      },
      fetch,
    });

    // Act
    const status = await client.status();

    // Assess
    expect(status.refreshTokens).toBe(true);
    expect(refreshed).toHaveLength(1);
  });

  it('turns error bodies into EntitlementsApiError: code, message, Retry-After, the gate fields', async () => {
    // Prepare
    const answers: Record<string, Response> = {
      '/subscription/status': json(
        503,
        { error: { code: 'service_unavailable', message: 'dynamodb is temporarily unavailable' } },
        { 'retry-after': '2' },
      ),
      '/example/team': json(403, {
        error: {
          code: 'feature_not_in_plan',
          message: 'The feature "team-management" is not in your plan (free).',
          requiredFeature: 'team-management',
          requiredPlan: 'business',
          currentPlan: 'free',
          upgradeUrl: 'https://app.example.com/pricing',
        },
      }),
      '/example/reports': json(403, { message: 'Forbidden' }),
      '/billing/portal-sessions': new Response('<html>bad gateway</html>', { status: 502 }),
    };
    const { fetch } = fakeFetch((url) => answers[new URL(url).pathname] ?? json(500, {}));
    const client = createEntitlementsClient({ baseUrl: 'https://api.example.com', getToken: () => 't', fetch });

    // Act
    const errors = await Promise.all([
      client.status().catch((e: unknown) => e),
      client.get('/example/team').catch((e: unknown) => e),
      client.get('example/reports').catch((e: unknown) => e),
      client.portal().catch((e: unknown) => e),
    ]);

    // Assess
    expect(errors.every((e) => e instanceof EntitlementsApiError)).toBe(true);
    const [unavailable, gated, forbidden, badGateway] = errors as EntitlementsApiError[];
    expect(unavailable).toMatchObject({ status: 503, code: 'service_unavailable', retryAfterSeconds: 2 });
    expect(gated?.code).toBe('feature_not_in_plan');
    expect(gated?.feature).toEqual({
      requiredFeature: 'team-management',
      requiredPlan: 'business',
      currentPlan: 'free',
      upgradeUrl: 'https://app.example.com/pricing',
    });
    expect(forbidden).toMatchObject({ status: 403, code: 'forbidden', message: 'GET /example/reports: Forbidden' });
    expect(badGateway).toMatchObject({ status: 502, code: 'unexpected_response' });
    expect(isApiError(gated, 'feature_not_in_plan')).toBe(true);
    expect(isApiError(gated, 'forbidden')).toBe(false);
  });

  it('deletes the account with DELETE /account and maps its 403 reauthentication_required', async () => {
    // Prepare
    const deleted = {
      deleted: true,
      deletedAt: '2026-12-03T10:00:00.000Z',
      subscriptions: 'cancel-now',
      customer: 'delete',
    };
    let fresh = false;
    const { fetch, calls } = fakeFetch(() =>
      fresh
        ? json(200, deleted)
        : json(403, { error: { code: 'reauthentication_required', message: 'Sign in again to delete your account.' } }),
    );
    const client = createEntitlementsClient({ baseUrl: 'https://api.example.com', getToken: () => 't', fetch });

    // Act
    const refused = await client.deleteAccount().catch((e: unknown) => e);
    fresh = true;
    const answer = await client.deleteAccount();

    // Assess
    expect(isApiError(refused, 'reauthentication_required')).toBe(true);
    expect(refused).toMatchObject({ status: 403 });
    expect(answer).toEqual(deleted);
    expect(calls.map((c) => [c.url, c.init?.method, c.init?.body])).toEqual([
      ['https://api.example.com/account', 'DELETE', undefined],
      ['https://api.example.com/account', 'DELETE', undefined],
    ]);
  });

  it('grants an override with a JSON body and revokes it with the sub and reason in the query', async () => {
    // Prepare
    const result: OverrideResult = {
      sub: 'user-1',
      changed: true,
      override: {
        plan: 'enterprise',
        endsAt: null,
        reason: 'partner deal',
        operator: { sub: 'ops-1', email: 'ops@example.com' },
        grantedAt: '2026-12-03T10:00:00.000Z',
      },
      status: { ...STATUS, plan: 'enterprise', source: 'override' },
    };
    const { fetch, calls } = fakeFetch((url, init) =>
      init?.method === 'POST'
        ? json(200, result)
        : url.includes('sub=missing')
          ? json(404, { error: { code: 'user_not_found', message: 'No entitlement record for user missing' } })
          : json(200, { ...result, override: null, status: STATUS }),
    );
    const client = createEntitlementsClient({ baseUrl: 'https://api.example.com', getToken: () => 'admin', fetch });

    // Act
    const granted = await client.grantOverride({ sub: 'user-1', plan: 'enterprise', reason: 'partner deal' });
    const revoked = await client.revokeOverride({ sub: 'user-1', reason: 'deal ended & refunded' });
    await client.revokeOverride({ sub: 'user-2' });
    const missing = await client.revokeOverride({ sub: 'missing' }).catch((e: unknown) => e);

    // Assess
    expect(granted).toEqual(result);
    expect(revoked.override).toBeNull();
    expect(calls.map((c) => [c.url, c.init?.method, c.init?.body])).toEqual([
      [
        'https://api.example.com/admin/overrides',
        'POST',
        '{"sub":"user-1","plan":"enterprise","reason":"partner deal"}',
      ],
      ['https://api.example.com/admin/overrides?sub=user-1&reason=deal+ended+%26+refunded', 'DELETE', undefined],
      ['https://api.example.com/admin/overrides?sub=user-2', 'DELETE', undefined],
      ['https://api.example.com/admin/overrides?sub=missing', 'DELETE', undefined],
    ]);
    expect(missing).toMatchObject({ status: 404, code: 'user_not_found' });
  });

  it('reports a request that got no answer as network_error', async () => {
    // Prepare
    const { fetch } = fakeFetch(() => {
      throw new TypeError('fetch failed');
    });
    const client = createEntitlementsClient({ baseUrl: 'http://127.0.0.1:9', getToken: () => undefined, fetch });

    // Act
    const error = await client.startTrial().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      status: 0,
      code: 'network_error',
      message: 'POST /subscription/trial: fetch failed',
    });
  });
});
