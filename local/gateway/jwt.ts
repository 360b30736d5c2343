import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

export interface JwtAuthorizerOptions {
  /** cognito-local's endpoint, e.g. http://127.0.0.1:9229 */
  cognitoEndpoint: string;
  userPoolId: string;
  /** The SPA app client: ID tokens carry it as `aud`, access tokens as `client_id` (like API Gateway checks). */
  clientId: string;
}

export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}

/**
 * The HTTP API's JWT authorizer, locally: verifies signature, issuer, expiry and audience against cognito-local's
 * keys. aws-jwt-verify fetches JWKS over https only, so the JWKS is fetched here and handed to its cache.
 */
export function createJwtAuthorizer(options: JwtAuthorizerOptions) {
  const issuer = `${options.cognitoEndpoint}/${options.userPoolId}`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const verifier = JwtRsaVerifier.create({
    issuer,
    jwksUri,
    audience: null,
    customJwtCheck: ({ payload }) => {
      const audience = payload.token_use === 'access' ? payload.client_id : payload.aud;
      const matches = Array.isArray(audience) ? audience.includes(options.clientId) : audience === options.clientId;
      if (!matches) throw new UnauthorizedError('token was not issued for this app client');
    },
  });
  let jwksLoaded: Promise<void> | undefined;
  const loadJwks = async () => {
    const response = await fetch(jwksUri);
    if (!response.ok) throw new Error(`JWKS ${jwksUri} answered ${response.status}`);
    verifier.cacheJwks((await response.json()) as Parameters<typeof verifier.cacheJwks>[0]);
  };

  return async function authorize(authorization: string | undefined): Promise<JwtPayload> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedError('missing bearer token');
    jwksLoaded ??= loadJwks().catch((error: unknown) => {
      jwksLoaded = undefined;
      throw error;
    });
    await jwksLoaded;
    try {
      return await verifier.verify(token);
    } catch (error) {
      throw new UnauthorizedError((error as Error).message);
    }
  };
}

/**
 * Claims as API Gateway hands them to Lambda: every value a string, arrays as "[a b]" (API Gateway renders nested
 * objects in Go's map syntax; here they are JSON, which no handler should parse either way).
 */
export function apiGatewayClaims(payload: JwtPayload): Record<string, string> {
  const text = (value: unknown): string => (typeof value === 'object' ? JSON.stringify(value) : String(value));
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    claims[key] = Array.isArray(value) ? `[${value.map(text).join(' ')}]` : text(value);
  }
  return claims;
}
