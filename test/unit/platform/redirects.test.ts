import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../lambdas/domain/errors';
import { ConfigError, parseEnv } from '../../../lambdas/platform/config';
import { ORIGIN_RULE } from '../../../lambdas/platform/origins';
import { isAllowedRedirect, redirectEnvSchema, resolveRedirect } from '../../../lambdas/platform/redirects';

const ORIGINS = ['https://app.example.com', 'http://localhost:5173'];

describe('redirect allow-list', () => {
  it.each([
    ['https://app.example.com/billing', true],
    ['https://app.example.com', true],
    ['http://localhost:5173/x?y={CHECKOUT_SESSION_ID}', true],
    ['https://APP.example.com/x', true],
    ['https://app.example.com:443/x', true],
    ['https://app.example.com.evil.test/x', false],
    ['https://app.example.com@evil.test/x', false],
    ['https://user:pw@app.example.com/x', false],
    ['http://app.example.com/x', false],
    ['http://localhost:3000/x', false],
    ['//app.example.com/x', false],
    ['/relative', false],
    ['javascript:alert(1)', false],
  ])('%s -> %s', (url, allowed) => {
    // Act / Assess
    expect(isAllowedRedirect(url, ORIGINS)).toBe(allowed);
  });

  it('uses the default when the caller sends none, and returns the caller URL unchanged otherwise', () => {
    // Act / Assess
    expect(resolveRedirect('successUrl', undefined, 'https://app.example.com/ok', ORIGINS)).toBe(
      'https://app.example.com/ok',
    );
    expect(resolveRedirect('successUrl', 'https://app.example.com/a?b={X}', 'd', ORIGINS)).toBe(
      'https://app.example.com/a?b={X}',
    );
  });

  it('throws an InvalidInputError naming the field and the allowed origins', () => {
    // Act / Assess
    expect(() => resolveRedirect('cancelUrl', 'https://evil.test', 'd', ORIGINS)).toThrow(
      new InvalidInputError(
        'cancelUrl: must start with one of the allowed origins (https://app.example.com, http://localhost:5173)',
      ),
    );
  });
});

describe('redirect environment', () => {
  it('derives the defaults from the first allowed origin', () => {
    // Act
    const config = parseEnv(redirectEnvSchema, { ALLOWED_ORIGINS: ' https://app.example.com , http://localhost:5173' });
    // Assess
    expect(config).toEqual({
      allowedOrigins: ORIGINS,
      checkoutSuccessUrl: 'https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}',
      checkoutCancelUrl: 'https://app.example.com/billing/cancel',
      portalReturnUrl: 'https://app.example.com/account',
    });
  });

  it('fails loudly naming the variable when ALLOWED_ORIGINS is missing or not origins', () => {
    // Act / Assess
    expect(() => parseEnv(redirectEnvSchema, {})).toThrow(ConfigError);
    expect(() => parseEnv(redirectEnvSchema, { ALLOWED_ORIGINS: 'https://app.example.com/path' })).toThrow(
      /ALLOWED_ORIGINS/,
    );
  });

  it.each([
    ['plain http off loopback', 'https://app.example.com,http://app.example.com', 'ALLOWED_ORIGINS.1'],
    ['a trailing slash', 'https://app.example.com/', 'ALLOWED_ORIGINS.0'],
    ['credentials', 'https://user:pw@app.example.com', 'ALLOWED_ORIGINS.0'],
  ])(
    'refuses %s in ALLOWED_ORIGINS with the origin rule (platform/origins.ts, as stage config does)',
    (_l, csv, at) => {
      // Act / Assess
      expect(() => parseEnv(redirectEnvSchema, { ALLOWED_ORIGINS: csv })).toThrow(
        new ConfigError(`Invalid Lambda configuration: ${at}: ${ORIGIN_RULE}`),
      );
    },
  );

  it('accepts http on localhost and 127.0.0.1 (the local stack)', () => {
    // Act
    const config = parseEnv(redirectEnvSchema, { ALLOWED_ORIGINS: 'http://localhost:3000,http://127.0.0.1:3000' });
    // Assess
    expect(config.allowedOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
  });

  it('rejects a default URL outside the allowed origins at cold start', () => {
    // Act / Assess
    expect(() =>
      parseEnv(redirectEnvSchema, {
        ALLOWED_ORIGINS: 'https://app.example.com',
        PORTAL_RETURN_URL: 'https://elsewhere.example.com/account',
      }),
    ).toThrow(/PORTAL_RETURN_URL: must be on one of ALLOWED_ORIGINS/);
  });
});
