import { normaliseEmail } from './email';

/**
 * A Cognito user as the use cases see it and the pure rules about federated usernames. No AWS SDK here: the
 * directory port that finds users is lambdas/ports/user-ports.ts (UserDirectory).
 */

export interface CognitoUser {
  username: string;
  sub?: string;
  /** Normalised (NFKC, trimmed, lower-cased); undefined when the user has no email attribute. */
  email?: string;
  emailVerified: boolean;
  /** UNCONFIRMED, CONFIRMED, EXTERNAL_PROVIDER, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, ... */
  status?: string;
  enabled: boolean;
  attributes: Record<string, string>;
  createdAt?: Date;
}

/** Cognito's provider names for social IdPs, keyed lower-case (usernames may arrive lower-cased). */
const SOCIAL_PROVIDERS: Record<string, string> = {
  google: 'Google',
  signinwithapple: 'SignInWithApple',
  facebook: 'Facebook',
  loginwithamazon: 'LoginWithAmazon',
};

export interface FederatedIdentity {
  providerName: string;
  providerUserId: string;
}

/**
 * Splits a federated username (`Google_1234`, `SignInWithApple_0001.abc`, `MyOidc_sub|x`) at the first `_`:
 * Cognito provider names cannot contain `_`, provider user ids can. Social provider names get their canonical
 * casing (AdminLinkProviderForUser matches the name exactly); OIDC/SAML names are kept as given.
 * Returns undefined when the username has no provider prefix.
 */
export function parseFederatedUsername(username: string): FederatedIdentity | undefined {
  const at = username.indexOf('_');
  if (at <= 0 || at === username.length - 1) return undefined;
  const prefix = username.slice(0, at);
  return {
    providerName: SOCIAL_PROVIDERS[prefix.toLowerCase()] ?? prefix,
    providerUserId: username.slice(at + 1),
  };
}

/**
 * The identity provider of a confirmed user from its trigger attributes: the `identities` attribute (a JSON
 * list Cognito sets on federated users), else the username prefix when the status says EXTERNAL_PROVIDER,
 * else `cognito` (native user).
 */
export function identityProviderOf(username: string, attributes: Record<string, string | undefined>): string {
  const identities = attributes.identities;
  if (identities) {
    try {
      const parsed: unknown = JSON.parse(identities);
      const first = Array.isArray(parsed) ? (parsed[0] as { providerName?: unknown } | undefined) : undefined;
      if (first && typeof first.providerName === 'string' && first.providerName) return first.providerName;
    } catch {
      // Not JSON: fall through to the status and the username.
    }
  }
  if (attributes['cognito:user_status'] === 'EXTERNAL_PROVIDER') {
    return parseFederatedUsername(username)?.providerName ?? 'external';
  }
  return 'cognito';
}

/** A user who signs in with a password (not an EXTERNAL_PROVIDER user): the only valid link destination. */
export function isNativeUser(user: CognitoUser): boolean {
  return user.status !== 'EXTERNAL_PROVIDER';
}

/** True for Cognito's string booleans (`"true"`) and real booleans. */
export function attributeIsTrue(value: string | boolean | undefined): boolean {
  return value === true || value === 'true';
}

/** Matches by normalised email (cognito-local ignores ListUsers filters: callers always re-check). */
export function hasEmail(user: Pick<CognitoUser, 'email'>, email: string): boolean {
  return user.email !== undefined && user.email === normaliseEmail(email);
}

/** A confirmed account as provisioning needs it (from the Post-Confirmation event or a verified token). */
export interface ConfirmedUser {
  sub: string;
  username: string;
  email: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
  /** `cognito` for native users, else the provider name (Google, SignInWithApple, ...). */
  identityProvider: string;
}

/** The caller as a verified ID token describes them (claims), for healing a missing profile. */
export interface TokenUser {
  sub: string;
  /** cognito:username; differs from sub for federated users. */
  username?: string;
  email?: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
  /** `cognito`, or the federated provider's name from the `identities` claim. */
  identityProvider: string;
  /** Groups in the caller's token (cognito:groups). */
  groups: string[];
}
