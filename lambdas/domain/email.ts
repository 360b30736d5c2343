import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * Email identity rules. Two addresses name the same account when their normalised forms are equal:
 * - Unicode NFKC (so full-width `ａ＠ｘ.com` equals `a@x.com`), trimmed, lower-cased;
 * - a quoted local part that needs no quoting is unquoted (RFC 5321 4.1.2: `"alice"@x.com` is `alice@x.com`,
 *   quoted pairs `\c` stand for `c`); one that needs its quotes keeps them, minimally escaped;
 * - an internationalised domain is compared in its Unicode form (IDNA, UTS #46 processing): the punycode
 *   `xn--bcher-kva.de` and `bücher.de` are the same domain.
 * Pure module (the WHATWG URL domain functions of node:url, no I/O).
 */

/** Canonical form: NFKC, trim, lower-case, local part unquoted when it can be, domain as Unicode (U-labels). */
export function normaliseEmail(email: string): string {
  const folded = legacyNormaliseEmail(email);
  const parts = splitAddress(folded);
  if (!parts) return folded;
  return `${canonicalLocal(parts.local)}@${unicodeDomain(parts.domain)}`;
}

/**
 * Every spelling under which an address equivalent to `email` may have been stored: the canonical form, its
 * punycode (A-label) domain, the needlessly quoted local part, and the form earlier versions stored (NFKC,
 * trimmed, lower-cased only). Exact-match lookups (a DynamoDB index, Cognito's ListUsers filter) ask for each;
 * the caller still compares the results by `normaliseEmail`. Canonical form first, no duplicates.
 */
export function emailLookupForms(email: string): string[] {
  const canonical = normaliseEmail(email);
  const forms = [canonical];
  const parts = splitAddress(canonical);
  if (parts) {
    const domains = [parts.domain, asciiDomain(parts.domain)];
    const locals = [parts.local, ...(isDotAtom(parts.local) ? [quote(parts.local)] : [])];
    for (const local of locals) for (const domain of domains) forms.push(`${local}@${domain}`);
  }
  forms.push(legacyNormaliseEmail(email));
  return [...new Set(forms)];
}

/** The canonical form with its domain in IDNA ASCII (punycode A-labels): `a@bücher.de` -> `a@xn--bcher-kva.de`. */
export function asciiEmail(email: string): string {
  const canonical = normaliseEmail(email);
  const parts = splitAddress(canonical);
  return parts ? `${parts.local}@${asciiDomain(parts.domain)}` : canonical;
}

/** What earlier versions stored: NFKC, trim, lower-case, nothing else. */
export function legacyNormaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

// One `@`, a non-empty local part, a dotted domain, no whitespace: a sanity check, not RFC 5322.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** True when the (normalised) address has a plausible shape and fits the 254-character limit. */
export function isValidEmail(email: string): boolean {
  const normalised = normaliseEmail(email);
  // `""@x.com` is RFC-valid (an empty quoted local part) but no mailbox anyone signs up with.
  return normalised.length <= 254 && EMAIL_SHAPE.test(normalised) && !normalised.startsWith('""@');
}

/** True when both addresses normalise to the same value. */
export function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  return normaliseEmail(a) === normaliseEmail(b);
}

/** Splits at the last `@` (a domain has none; a quoted local part may). Undefined without a non-empty side. */
function splitAddress(address: string): { local: string; domain: string } | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

// RFC 5322 atext (plus any non-ASCII character, RFC 6531), dot-separated, no empty atom.
const ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\u{10FFFF}-]+";
const DOT_ATOM = new RegExp(`^${ATOM}(\\.${ATOM})*$`, 'u');

function isDotAtom(local: string): boolean {
  return DOT_ATOM.test(local);
}

/** `"a\"b"` -> `a"b`-with-quotes-kept; `"alice"` and `"al\ice"` -> `alice`. Anything else is returned as is. */
function canonicalLocal(local: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/su.exec(local);
  if (!quoted) return local;
  const content = (quoted[1] ?? '').replace(/\\(.)/gsu, '$1');
  return isDotAtom(content) ? content : quote(content);
}

function quote(content: string): string {
  return `"${content.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/** The IDNA Unicode form of a domain; a domain IDNA refuses (e.g. a malformed `xn--` label) is kept as given. */
function unicodeDomain(domain: string): string {
  const ascii = domainToASCII(domain);
  return ascii ? domainToUnicode(ascii) || domain : domain;
}

/** The IDNA ASCII (punycode) form, or the domain as given when IDNA refuses it. */
function asciiDomain(domain: string): string {
  return domainToASCII(domain) || domain;
}
