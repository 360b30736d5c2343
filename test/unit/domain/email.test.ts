import { describe, expect, it } from 'vitest';
import {
  asciiEmail,
  emailLookupForms,
  isValidEmail,
  legacyNormaliseEmail,
  normaliseEmail,
  sameEmail,
} from '../../../lambdas/domain/email';

describe('normaliseEmail: quoted local parts (RFC 5321 4.1.2)', () => {
  it.each([
    ['"alice"@example.com', 'alice@example.com'],
    ['"Alice.Smith"@Example.com', 'alice.smith@example.com'],
    ['"al\\ice"@example.com', 'alice@example.com'],
    ['"first+tag"@example.com', 'first+tag@example.com'],
    ['"ａｌｉｃｅ"@example.com', 'alice@example.com'],
  ])('%s -> %s (the quotes were not needed)', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it.each([
    ['"john doe"@example.com', '"john doe"@example.com'],
    ['"a..b"@example.com', '"a..b"@example.com'],
    ['"a\\"b"@example.com', '"a\\"b"@example.com'],
    ['"a@b"@example.com', '"a@b"@example.com'],
    ['".alice"@example.com', '".alice"@example.com'],
  ])('%s keeps its needed quotes: %s', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it('leaves an unquoted local part alone (no dot or plus-tag folding: providers differ)', () => {
    expect(normaliseEmail('first.last+tag@example.com')).toBe('first.last+tag@example.com');
  });
});

describe('normaliseEmail: internationalised domains (IDNA)', () => {
  it.each([
    ['alice@xn--bcher-kva.de', 'alice@bücher.de'],
    ['alice@XN--BCHER-KVA.DE', 'alice@bücher.de'],
    ['alice@bücher.de', 'alice@bücher.de'],
    ['alice@BÜCHER.de', 'alice@bücher.de'],
    ['alice@ｂüｃｈｅｒ．ｄｅ', 'alice@bücher.de'],
    ['alice@mail.xn--fa-hia.de', 'alice@mail.faß.de'],
  ])('%s -> %s', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it('keeps a domain IDNA refuses (a malformed punycode label) as given', () => {
    expect(normaliseEmail('a@xn--zz.com')).toBe('a@xn--zz.com');
  });

  it('treats every equivalent spelling as the same address', () => {
    const forms = ['"alice"@xn--bcher-kva.de', 'ALICE@bücher.de', ' alice@ＢÜＣＨＥＲ.de ', '"al\\ice"@bücher.DE'];
    for (const form of forms) expect(sameEmail(form, 'alice@bücher.de')).toBe(true);
    expect(sameEmail('alice@bucher.de', 'alice@bücher.de')).toBe(false);
  });

  it('gives the punycode form for exact-match lookups', () => {
    expect(asciiEmail('"Alice"@Bücher.de')).toBe('alice@xn--bcher-kva.de');
    expect(asciiEmail('a@example.com')).toBe('a@example.com');
  });
});

describe('emailLookupForms', () => {
  it('lists the canonical form first, then the punycode, quoted and pre-IDNA spellings, once each', () => {
    expect(emailLookupForms('"Alice"@XN--BCHER-KVA.de')).toEqual([
      'alice@bücher.de',
      'alice@xn--bcher-kva.de',
      '"alice"@bücher.de',
      '"alice"@xn--bcher-kva.de',
    ]);
    expect(emailLookupForms('Bob@Example.com')).toEqual(['bob@example.com', '"bob"@example.com']);
  });

  it('includes what earlier versions stored when it differs', () => {
    expect(legacyNormaliseEmail('"Bob"@Example.com')).toBe('"bob"@example.com');
    expect(emailLookupForms('"Bob"@Example.com')).toContain('"bob"@example.com');
    expect(emailLookupForms('a@xn--bcher-kva.de')).toContain('a@xn--bcher-kva.de');
  });
});

describe('isValidEmail with the new forms', () => {
  it.each(['"alice"@example.com', 'alice@xn--bcher-kva.de', 'alice@bücher.de'])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each(['"john doe"@example.com', '"a@b"@example.com', '""@example.com'])('rejects %s', (email) => {
    expect(isValidEmail(email)).toBe(false);
  });
});
