import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * Re-confirmation for destructive routes: the verified token's `auth_time` (when the user last entered their
 * credentials; Cognito keeps it across token refreshes) must be recent. A client satisfies it by signing in again
 * right before the request. API Gateway passes claims as strings, the local gateway too; numbers are accepted.
 */
export const RECENT_SIGN_IN_SECONDS = 300;

type JwtEvent = Pick<APIGatewayProxyEventV2, 'requestContext'>;

/** Seconds since the token's sign-in, or undefined when the token carries no usable `auth_time`. */
export function secondsSinceSignIn(event: JwtEvent, now: Date): number | undefined {
  const claims =
    (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer?.jwt?.claims ??
    {};
  const raw = claims.auth_time;
  const authTime = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(authTime) || authTime <= 0) return undefined;
  return Math.floor(now.getTime() / 1000) - authTime;
}

/** True when the caller signed in within `maxAgeSeconds` (a clock skew of a minute into the future is tolerated). */
export function signedInRecently(event: JwtEvent, now: Date, maxAgeSeconds = RECENT_SIGN_IN_SECONDS): boolean {
  const age = secondsSinceSignIn(event, now);
  return age !== undefined && age <= maxAgeSeconds && age >= -60;
}
