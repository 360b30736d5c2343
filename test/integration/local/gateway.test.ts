import { generateKeyPairSync, sign } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../../lib/route-table';
import { type Gateway, startGateway } from '../../../local/gateway';
import { uniqueEmail, useEmulatorBackend } from '../../support/backend';

const ROUTES: RouteDefinition[] = [
  { id: 'Private', method: 'GET', path: '/private', auth: 'jwt', entry: 'private' },
  { id: 'Public', method: 'POST', path: '/public', auth: 'none', entry: 'public' },
  { id: 'Missing', method: 'GET', path: '/missing', auth: 'none', entry: 'lambdas/handlers/does-not-exist.ts' },
];

const backend = useEmulatorBackend({ triggers: false });
let gateway: Gateway;
let events: APIGatewayProxyEventV2[] = [];
let idToken: string;
let accessToken: string;

beforeAll(async () => {
  const { userPool, cognito, cognitoClient } = backend();
  gateway = await startGateway({
    env: {},
    routes: ROUTES,
    maxBodyBytes: 1024,
    jwt: { cognitoEndpoint: cognito.endpoint, userPoolId: userPool.userPoolId, clientId: userPool.userPoolClientId },
    loadHandler: async (route) => {
      if (route.entry.endsWith('does-not-exist.ts')) return undefined;
      return async (event) => {
        events.push(event);
        return { statusCode: 202, headers: { 'X-Handler': route.id }, body: JSON.stringify({ ok: true }) };
      };
    },
  });
  const email = uniqueEmail('gateway');
  await cognitoClient.send(
    new AdminCreateUserCommand({
      UserPoolId: userPool.userPoolId,
      Username: email,
      UserAttributes: [{ Name: 'email', Value: email }],
      MessageAction: 'SUPPRESS',
    }),
  );
  await cognitoClient.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPool.userPoolId,
      Username: email,
      Password: 'Gateway-passw0rd!',
      Permanent: true,
    }),
  );
  const auth = await cognitoClient.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: userPool.userPoolClientId,
      AuthParameters: { USERNAME: email, PASSWORD: 'Gateway-passw0rd!' },
    }),
  );
  idToken = auth.AuthenticationResult?.IdToken ?? '';
  accessToken = auth.AuthenticationResult?.AccessToken ?? '';
});
afterAll(async () => {
  await gateway?.close();
});
beforeEach(() => {
  events = [];
});

/** A token with the right issuer, audience and kid, signed with a key that is not cognito-local's. */
function forgedToken(claims: Record<string, unknown>): string {
  const [headerPart] = idToken.split('.');
  const header = JSON.parse(Buffer.from(headerPart ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('local gateway', () => {
  it('answers 404 for an unknown path and for a known path with another method', async () => {
    // Act
    const unknown = await fetch(`${gateway.url}/nope`);
    const wrongMethod = await fetch(`${gateway.url}/public`);

    // Assess
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(wrongMethod.status).toBe(404);
    expect(events).toHaveLength(0);
  });

  it.each([
    ['no token', () => undefined],
    ['a malformed token', () => 'Bearer not-a-jwt'],
    ['a forged token', () => `Bearer ${forgedToken(claimsOf(idToken))}`],
    ['a token for another app client', () => `Bearer ${forgedToken({ ...claimsOf(idToken), aud: 'other-client' })}`],
  ])('answers 401 on a JWT route with %s, without calling the handler', async (_name, authorization) => {
    // Prepare
    const value = authorization();

    // Act
    const response = await fetch(`${gateway.url}/private`, { headers: value ? { authorization: value } : {} });

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(events).toHaveLength(0);
  });

  it('passes a verified ID or access token and hands the claims over like API Gateway', async () => {
    // Act
    const withId = await fetch(`${gateway.url}/private?a=1&a=2&b=x`, {
      headers: { authorization: `Bearer ${idToken}`, 'X-Custom': 'Yes' },
    });
    const withAccess = await fetch(`${gateway.url}/private`, { headers: { authorization: `Bearer ${accessToken}` } });

    // Assess
    expect(withId.status).toBe(202);
    expect(withId.headers.get('x-handler')).toBe('Private');
    expect(withAccess.status).toBe(202);
    const [event] = events;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /private',
      rawPath: '/private',
      rawQueryString: 'a=1&a=2&b=x',
      queryStringParameters: { a: '1,2', b: 'x' },
      headers: { 'x-custom': 'Yes' },
      requestContext: { http: { method: 'GET', path: '/private' }, routeKey: 'GET /private', stage: '$default' },
    });
    const claims = (event?.requestContext as { authorizer?: { jwt?: { claims?: Record<string, string> } } } | undefined)
      ?.authorizer?.jwt?.claims;
    expect(claims?.sub).toBe(claimsOf(idToken).sub);
    expect(typeof claims?.exp).toBe('string');
  });

  it('delivers text bodies as is and binary bodies base64-encoded, without authorizer on public routes', async () => {
    // Act
    await fetch(`${gateway.url}/public`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":"é"}',
    });
    await fetch(`${gateway.url}/public`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0xff, 0x00, 0xfe]),
    });

    // Assess
    expect(events[0]).toMatchObject({ body: '{"x":"é"}', isBase64Encoded: false });
    expect(events[1]).toMatchObject({
      body: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
      isBase64Encoded: true,
    });
    expect((events[0]?.requestContext as { authorizer?: unknown } | undefined)?.authorizer).toBeUndefined();
  });

  it('answers 413 above the body limit and 501 naming a handler module that does not exist yet', async () => {
    // Act
    const tooLarge = await fetch(`${gateway.url}/public`, { method: 'POST', body: 'x'.repeat(2048) });
    const missing = await fetch(`${gateway.url}/missing`);

    // Assess
    expect(tooLarge.status).toBe(413);
    expect(missing.status).toBe(501);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      'lambdas/handlers/does-not-exist.ts',
    );
    expect(events).toHaveLength(0);
  });
});
