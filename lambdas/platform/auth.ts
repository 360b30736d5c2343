import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../domain/errors';

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
