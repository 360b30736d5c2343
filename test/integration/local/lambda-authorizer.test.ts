import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../../lib/route-table';
import { type Gateway, startGateway } from '../../../local/gateway';

/** The local gateway runs a route's Lambda authorizer as API Gateway does (payload 2.0, simple responses). */
const ROUTES: RouteDefinition[] = [
  {
    id: 'Gated',
    method: 'GET',
    path: '/gated',
    auth: 'entitlements',
    requires: 'feature:x',
    entry: 'gated',
  },
];

let gateway: Gateway;
const seen: { authorizer: Record<string, unknown>[]; route: APIGatewayProxyEventV2[] } = { authorizer: [], route: [] };
/** What the fake authorizer answers per token. */
const answers: Record<string, unknown> = {
  'Bearer yes': { isAuthorized: true, context: { sub: 'user-1', plan: 'pro' } },
  'Bearer no': { isAuthorized: false, context: { reason: 'feature_not_in_plan' } },
  'Bearer malformed': { allowed: true },
};

beforeAll(async () => {
  gateway = await startGateway({
    env: {},
    routes: ROUTES,
    jwt: { cognitoEndpoint: 'http://127.0.0.1:9', userPoolId: 'unused', clientId: 'unused' },
    loadHandler: async () => async (event) => {
      seen.route.push(event);
      return { statusCode: 200, headers: {}, body: JSON.stringify({ ok: true }) };
    },
    loadAuthorizer: async () => ({
      id: 'fake',
      identitySource: ['$request.header.Authorization'],
      ttlSeconds: 60,
      invoke: async (event) => {
        const authorizerEvent = event as Record<string, unknown> & { headers: Record<string, string> };
        seen.authorizer.push(authorizerEvent);
        const answer = answers[authorizerEvent.headers.authorization ?? ''];
        if (answer === undefined) throw new Error('authorizer crashed');
        return answer;
      },
    }),
  });
});
afterAll(async () => {
  await gateway?.close();
});
beforeEach(() => {
  seen.authorizer.length = 0;
  seen.route.length = 0;
});

const get = async (authorization?: string) => {
  const response = await fetch(`${gateway.url}/gated?a=1`, {
    headers: authorization ? { authorization } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('local gateway: Lambda authorizer', () => {
  it('answers 401 without calling the authorizer when the identity source is missing', async () => {
    // Act
    const response = await get();

    // Assess
    expect(response).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect(seen.authorizer).toHaveLength(0);
  });

  it('passes an allowed request on with the context as requestContext.authorizer.lambda, cached per token', async () => {
    // Act
    const before = gateway.authorizerInvocations('fake');
    const first = await get('Bearer yes');
    const second = await get('Bearer yes');

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(gateway.authorizerInvocations('fake') - before).toBe(1);
    expect(seen.route[0]?.requestContext).toMatchObject({ authorizer: { lambda: { sub: 'user-1', plan: 'pro' } } });
  });

  it('sends a payload 2.0 REQUEST event with identitySource and routeArn', async () => {
    // Act
    await get('Bearer fresh-token-for-event');

    // Assess
    expect(seen.authorizer[0]).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      identitySource: ['Bearer fresh-token-for-event'],
      routeKey: 'GET /gated',
      rawQueryString: 'a=1',
      routeArn: expect.stringContaining('GET/gated'),
    });
    expect(seen.authorizer[0]).not.toHaveProperty('body');
  });

  it('answers a denial with 403 Forbidden and caches it too', async () => {
    // Act
    const first = await get('Bearer no');
    const second = await get('Bearer no');

    // Assess
    expect(first).toEqual({ status: 403, body: { message: 'Forbidden' } });
    expect(second.status).toBe(403);
    expect(seen.authorizer).toHaveLength(1);
    expect(seen.route).toHaveLength(0);
  });

  it('answers 500 for an authorizer error or a malformed answer, and caches neither', async () => {
    // Act
    const crashed = [await get('Bearer crash'), await get('Bearer crash')];
    const malformed = await get('Bearer malformed');

    // Assess
    expect(crashed.map((r) => r.status)).toEqual([500, 500]);
    expect(crashed[0]?.body).toEqual({ message: 'Internal Server Error' });
    expect(malformed.status).toBe(500);
    expect(seen.authorizer).toHaveLength(3);
  });
});
