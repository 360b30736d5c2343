import type { EntitlementRecord } from '../domain/entitlement';

/** What the feature gate and the authorizer need from the outside world. */

/** Reads one user's Entitlements record (strongly consistent). `DynamoEntitlementStore` implements it. */
export interface EntitlementReader {
  get(sub: string): Promise<EntitlementRecord | undefined>;
}

/** The claims of a verified Cognito token that the authorizer passes on. */
export interface VerifiedToken {
  sub: string;
  tokenUse: 'id' | 'access';
  email?: string;
  username?: string;
  groups: string[];
  /** Epoch seconds. */
  expiresAt: number;
}

/**
 * Verifies a bearer token (signature, issuer, expiry, app client); throws `TokenRejectedError` (domain/feature-gate.ts)
 * when it does not, DependencyUnavailableError when the keys cannot be fetched.
 */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}
