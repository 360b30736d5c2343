/**
 * What a secret value looks like, for the synth-time guard in AppFunction and the template scan in infra tests.
 * Secrets reach Lambdas only as Secrets Manager ARNs (`*_ARN`); a literal that matches here is a leak.
 */

const STRIPE_SECRET_PREFIX = /(^|[^A-Za-z0-9])(sk|rk)_(live|test)_[A-Za-z0-9]/;
const STRIPE_WEBHOOK_SECRET_PREFIX = /(^|[^A-Za-z0-9])whsec_[A-Za-z0-9]/;
/** Long base64/base64url/hex-ish runs (keys, tokens, private material); 32+ chars, letters and digits mixed. */
const OPAQUE_TOKEN = /^[A-Za-z0-9+/_-]{32,}={0,2}$/;

/** Names that say "this holds a secret value": allowed only as `..._ARN` (or `..._NAME`) references. */
const SECRET_NAME = /(SECRET|PASSWORD|PRIVATE_KEY|API_KEY|TOKEN)/;
const REFERENCE_NAME = /_(ARN|NAME|ID)$/;

/** Why `value` (under `name`) looks like a secret, or undefined when it does not. */
export function secretLikeReason(name: string, value: string): string | undefined {
  if (STRIPE_SECRET_PREFIX.test(value)) return 'looks like a Stripe secret or restricted key (sk_/rk_)';
  if (STRIPE_WEBHOOK_SECRET_PREFIX.test(value)) return 'looks like a Stripe webhook signing secret (whsec_)';
  if (OPAQUE_TOKEN.test(value) && /[A-Za-z]/.test(value) && /[0-9]/.test(value)) {
    return 'looks like an opaque key or token (long base64-like string)';
  }
  if (SECRET_NAME.test(name.toUpperCase()) && !REFERENCE_NAME.test(name.toUpperCase())) {
    return `the name ${name} suggests a secret value: pass a Secrets Manager ARN in ${name}_ARN instead`;
  }
  return undefined;
}
