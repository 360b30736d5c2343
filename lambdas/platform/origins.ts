import * as z from '../domain/zod-mini';

/**
 * The one rule for a browser origin this system trusts (the stage's `allowedOrigins`: CORS, the app client's
 * callback and logout URLs, Checkout and portal redirects), checked when the stage config is parsed (lib/
 * stage-config.ts) and again when a function reads ALLOWED_ORIGINS at cold start (platform/redirects.ts):
 *
 * - exactly `scheme://host[:port]` as the URL standard prints an origin: lowercase host, no default port, no path,
 *   no trailing slash, no query, no credentials (`URL.origin` must equal the value);
 * - `https:`, or `http:` only for `localhost` and `127.0.0.1` (loopback is a secure context in browsers; Cognito
 *   accepts plain http callback URLs only for localhost). A plain-http public origin would let anyone on the path
 *   read the session Checkout returns to.
 */
export const ORIGIN_RULE =
  'must be an origin like https://app.example.com (https, no path or trailing slash; http only for localhost)';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

export function isAllowedOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.origin !== value) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

export const originSchema = z.string().check(z.refine(isAllowedOrigin, { message: ORIGIN_RULE }));
