import { InvalidInputError } from '../domain/errors';
import * as z from '../domain/zod-mini';
import { originSchema } from './origins';

/**
 * Where Stripe may send the browser back to. A redirect is allowed only when its origin (scheme + host + port) is
 * exactly one of the stage's allowed origins: a string-prefix test would let `https://app.example.com.evil.test`
 * through. The allowed origins themselves follow platform/origins.ts (https, http only for localhost). Pure module.
 */

/** Canonical origin of an absolute http(s) URL, or undefined when it is not one (or carries credentials). */
function originOf(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url.origin;
}

export function isAllowedRedirect(url: string, allowedOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== undefined && allowedOrigins.includes(origin);
}

/**
 * The redirect to use for `field`: the caller's URL when given (400 naming the field unless its origin is allowed),
 * else the configured default. The caller's string is returned unchanged, so Stripe placeholders such as
 * `{CHECKOUT_SESSION_ID}` survive.
 */
export function resolveRedirect(
  field: string,
  requested: string | undefined,
  fallback: string,
  allowedOrigins: readonly string[],
): string {
  if (requested === undefined) return fallback;
  if (!isAllowedRedirect(requested, allowedOrigins)) {
    throw new InvalidInputError(`${field}: must start with one of the allowed origins (${allowedOrigins.join(', ')})`);
  }
  return requested;
}

/**
 * Environment of the routes that redirect (checkout, billing portal). ALLOWED_ORIGINS is the stage's
 * `allowedOrigins` (comma-separated); the default URLs fall back to pages on the first origin and must themselves
 * be on an allowed origin, so a misconfiguration fails at cold start rather than at a customer's checkout.
 */
export const redirectEnvSchema = z.pipe(
  z.object({
    ALLOWED_ORIGINS: z.pipe(
      z.pipe(
        z.string(),
        z.transform((csv) =>
          csv
            .split(',')
            .map((part) => part.trim())
            .filter((part) => part !== ''),
        ),
      ),
      z.array(originSchema).check(z.minLength(1, 'needs at least one origin')),
    ),
    CHECKOUT_SUCCESS_URL: z.optional(z.url()),
    CHECKOUT_CANCEL_URL: z.optional(z.url()),
    PORTAL_RETURN_URL: z.optional(z.url()),
  }),
  z.transform((env, payload) => {
    const [first] = env.ALLOWED_ORIGINS;
    const defaults = {
      checkoutSuccessUrl: env.CHECKOUT_SUCCESS_URL ?? `${first}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      checkoutCancelUrl: env.CHECKOUT_CANCEL_URL ?? `${first}/billing/cancel`,
      portalReturnUrl: env.PORTAL_RETURN_URL ?? `${first}/account`,
    };
    const names = {
      checkoutSuccessUrl: 'CHECKOUT_SUCCESS_URL',
      checkoutCancelUrl: 'CHECKOUT_CANCEL_URL',
      portalReturnUrl: 'PORTAL_RETURN_URL',
    } as const;
    for (const [key, url] of Object.entries(defaults) as [keyof typeof names, string][]) {
      if (!isAllowedRedirect(url, env.ALLOWED_ORIGINS)) {
        payload.issues.push({
          code: 'custom',
          path: [names[key]],
          message: 'must be on one of ALLOWED_ORIGINS',
          input: env,
        });
      }
    }
    return { allowedOrigins: env.ALLOWED_ORIGINS, ...defaults };
  }),
);

export type RedirectConfig = z.output<typeof redirectEnvSchema>;
