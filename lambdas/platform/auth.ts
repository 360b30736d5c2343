import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TokenUser } from '../domain/cognito-user';
import { AppError } from '../domain/errors';
import * as z from '../domain/zod-mini';

/** The caller as the HTTP API's JWT authorizer verified them. Identity is the token's `sub`, never the body. */
export interface Caller {
  sub: string;
  email?: string;
  /** `cognito:username` (ID token) or `username` (access token); differs from sub for federated users. */
  username?: string;
  groups: string[];
  givenName?: string;
  familyName?: string;
}

export class UnauthenticatedError extends AppError {
  override name = 'UnauthenticatedError';
}

type JwtEvent = Pick<APIGatewayProxyEventV2, 'requestContext'>;

/**
 * Reads the verified claims. API Gateway passes array claims as a string like "[pro free]"; the local gateway
 * passes real arrays: both are accepted.
 */
export function callerOf(event: JwtEvent): Caller {
  const authorizer = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
    .authorizer;
  const claims = authorizer?.jwt?.claims ?? {};
  const sub = typeof claims.sub === 'string' ? claims.sub.trim() : '';
  if (!sub) throw new UnauthenticatedError('no verified sub claim');
  const text = (name: string) =>
    typeof claims[name] === 'string' && claims[name] !== '' ? (claims[name] as string) : undefined;
  return {
    sub,
    email: text('email')?.trim().toLowerCase(),
    username: text('cognito:username') ?? text('username'),
    groups: parseGroupsClaim(claims['cognito:groups']),
    givenName: text('given_name'),
    familyName: text('family_name'),
  };
}

export function parseGroupsClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value !== 'string') return [];
  const trimmed = value.trim().replace(/^\[/, '').replace(/\]$/, '');
  return trimmed.split(/[\s,]+/).filter(Boolean);
}

const identitiesClaim = z
  .array(z.looseObject({ providerName: z.string().check(z.minLength(1)) }))
  .check(z.minLength(1));

/** The claims provisioning needs beyond `callerOf`: email_verified and the federated provider, if any. */
export function tokenUserOf(event: JwtEvent, caller: Caller): TokenUser {
  const claims =
    (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer?.jwt?.claims ??
    {};
  let identityProvider = 'cognito';
  const identities = claims.identities;
  try {
    const parsed = identitiesClaim.safeParse(typeof identities === 'string' ? JSON.parse(identities) : identities);
    if (parsed.success && parsed.data[0]) identityProvider = parsed.data[0].providerName;
  } catch {
    // Not JSON: a native user's token has no identities claim; keep `cognito`.
  }
  return {
    sub: caller.sub,
    ...(caller.username ? { username: caller.username } : {}),
    ...(caller.email ? { email: caller.email } : {}),
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    ...(caller.givenName ? { givenName: caller.givenName } : {}),
    ...(caller.familyName ? { familyName: caller.familyName } : {}),
    identityProvider,
    groups: caller.groups,
  };
}
