import { describe, expect, it } from 'vitest';
import { identityProviderOf, parseFederatedUsername } from '../../../lambdas/domain/cognito-user';
import { isValidEmail, normaliseEmail, sameEmail } from '../../../lambdas/domain/email';

describe('normaliseEmail / isValidEmail', () => {
  it.each([
    ['A@x.com', 'a@x.com'],
    [' a@x.com ', 'a@x.com'],
    ['ａ@x.com', 'a@x.com'],
    ['ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ', 'alice@example.com'],
  ])('%s -> %s', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it('compares addresses by their normalised form', () => {
    expect(sameEmail('A@x.com', ' ａ@X.COM')).toBe(true);
    expect(sameEmail('a@x.com', 'b@x.com')).toBe(false);
    expect(sameEmail(undefined, 'a@x.com')).toBe(false);
  });

  it.each(['a@x.com', 'first.last+tag@sub.example.co.uk', ' A@X.COM '])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each(['', 'a', 'a@', '@x.com', 'a@x', 'a b@x.com', 'a@@x.com', `${'a'.repeat(250)}@x.com`])(
    'rejects %s',
    (email) => {
      expect(isValidEmail(email)).toBe(false);
    },
  );
});

describe('federated usernames', () => {
  it.each([
    ['Google_123', { providerName: 'Google', providerUserId: '123' }],
    ['google_123', { providerName: 'Google', providerUserId: '123' }],
    ['signinwithapple_001.ab', { providerName: 'SignInWithApple', providerUserId: '001.ab' }],
    ['Facebook_9', { providerName: 'Facebook', providerUserId: '9' }],
    ['Okta_a_b', { providerName: 'Okta', providerUserId: 'a_b' }],
    // OIDC/SAML names as lib/stage-config.ts allows them (lowercase, "-", never "_"): linking needs the exact name.
    ['okta_00u1ab2c', { providerName: 'okta', providerUserId: '00u1ab2c' }],
    ['corp-ad_user@example.com', { providerName: 'corp-ad', providerUserId: 'user@example.com' }],
  ])('%s', (username, expected) => {
    expect(parseFederatedUsername(username)).toEqual(expected);
  });

  it.each(['0b6f5c1e-51a4', '_123', 'Google_'])('%s has no provider', (username) => {
    expect(parseFederatedUsername(username)).toBeUndefined();
  });

  it('derives the identity provider from identities, then status, else cognito', () => {
    const identities = JSON.stringify([{ providerName: 'SignInWithApple', userId: 'x' }]);
    expect(identityProviderOf('SignInWithApple_x', { identities })).toBe('SignInWithApple');
    expect(identityProviderOf('Google_1', { 'cognito:user_status': 'EXTERNAL_PROVIDER' })).toBe('Google');
    expect(identityProviderOf('Google_1', { identities: 'not json', 'cognito:user_status': 'CONFIRMED' })).toBe(
      'cognito',
    );
    expect(identityProviderOf('some_native_name', { 'cognito:user_status': 'CONFIRMED' })).toBe('cognito');
  });
});
