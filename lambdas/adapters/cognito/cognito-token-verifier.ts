import { JwtRsaVerifier } from 'aws-jwt-verify';
import { FetchError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { dependencyError } from '../../domain/errors';
import { TokenRejectedError } from '../../domain/feature-gate';
import type { TokenVerifier, VerifiedToken } from '../../ports/gate-ports';

/**
 * Verifies Cognito tokens as the HTTP API's JWT authorizer does: RS256 signature against the pool's JWKS, issuer,
 * expiry, and the app client (`aud` of an ID token, `client_id` of an access token). The JWKS is fetched once per
 * container (aws-jwt-verify re-fetches on an unknown `kid`, i.e. after Cognito rotates its keys).
 *
 * `issuer` is `https://cognito-idp.<region>.amazonaws.com/<poolId>` in AWS. On the local stack it is cognito-local's
 * plain-http address; aws-jwt-verify fetches only over https, so there the JWKS is fetched here and handed to its
 * cache (a failed fetch is not kept).
 */
export class CognitoTokenVerifier implements TokenVerifier {
  private readonly verifier;
  private readonly jwksUri: string;
  private jwksLoaded: Promise<void> | undefined;

  constructor(
    private readonly issuer: string,
    clientId: string,
  ) {
    this.jwksUri = `${issuer}/.well-known/jwks.json`;
    this.verifier = JwtRsaVerifier.create({
      issuer,
      jwksUri: this.jwksUri,
      audience: null,
      customJwtCheck: ({ payload }) => {
        const audience = payload.token_use === 'access' ? payload.client_id : payload.aud;
        const matches = Array.isArray(audience) ? audience.includes(clientId) : audience === clientId;
        if (!matches) throw new TokenRejectedError('token was not issued for this app client');
        if (payload.token_use !== 'id' && payload.token_use !== 'access') {
          throw new TokenRejectedError('token_use must be id or access');
        }
      },
    });
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (!this.issuer.startsWith('https://')) await this.loadPlainHttpJwks();
    let payload: JwtPayload;
    try {
      payload = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenRejectedError) throw error;
      // A JWKS that cannot be fetched is the dependency's fault, not the token's: 500, never a cached denial.
      if (error instanceof FetchError) throw dependencyError('cognito', 'JWKS fetch', error);
      throw new TokenRejectedError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const groups = payload['cognito:groups'];
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    const email = text(payload.email);
    const username = text(payload['cognito:username']) ?? text(payload.username);
    return {
      sub: String(payload.sub),
      tokenUse: payload.token_use === 'access' ? 'access' : 'id',
      ...(email ? { email } : {}),
      ...(username ? { username } : {}),
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
      expiresAt: Number(payload.exp),
    };
  }

  private loadPlainHttpJwks(): Promise<void> {
    this.jwksLoaded ??= (async () => {
      const response = await fetch(this.jwksUri);
      if (!response.ok) throw new Error(`JWKS ${this.jwksUri} answered ${response.status}`);
      this.verifier.cacheJwks((await response.json()) as Parameters<typeof this.verifier.cacheJwks>[0]);
    })().catch((error: unknown) => {
      this.jwksLoaded = undefined;
      throw dependencyError('cognito', 'JWKS fetch', error);
    });
    return this.jwksLoaded;
  }
}

/** The issuer of a pool's tokens in AWS. */
export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}
