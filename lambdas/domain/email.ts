/**
 * Email identity rules. Two addresses name the same account when their normalised forms are equal: Unicode NFKC
 * (so full-width `ａ＠ｘ.com` equals `a@x.com`), trimmed, lower-cased. Pure module.
 */

/** NFKC, trim, lower-case. Use before every comparison, lookup or write of an email. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

// One `@`, a non-empty local part, a dotted domain, no whitespace: a sanity check, not RFC 5322.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** True when the (normalised) address has a plausible shape and fits the 254-character limit. */
export function isValidEmail(email: string): boolean {
  const normalised = normaliseEmail(email);
  return normalised.length <= 254 && EMAIL_SHAPE.test(normalised);
}

/** True when both addresses normalise to the same value. */
export function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  return normaliseEmail(a) === normaliseEmail(b);
}
