import { describe, expect, it } from 'vitest';
import { callerOf, parseGroupsClaim, UnauthenticatedError } from '../../../lambdas/platform/auth';
import {
  ConfigError,
  parseEnv,
  policyEnvSchema,
  stripeEnvSchema,
  tableEnvSchema,
} from '../../../lambdas/platform/config';
import { CONTRACTS } from '../../../lambdas/platform/contracts';
import { parseJsonBody, rawBody } from '../../../lambdas/platform/http';
import { maskEmail } from '../../../lambdas/platform/logger';
import { createRuntime } from '../../../lambdas/platform/runtime';

describe('environment contract', () => {
  it('names every missing table variable in one error', () => {
    expect(() => parseEnv(tableEnvSchema, { USER_PROFILES_TABLE: 'p' })).toThrow(ConfigError);
    expect(() => parseEnv(tableEnvSchema, { USER_PROFILES_TABLE: 'p' })).toThrow(/ENTITLEMENTS_TABLE.*AUDIT_TABLE/s);
  });

  it('requires a Stripe key source', () => {
    expect(() => parseEnv(stripeEnvSchema, {})).toThrow(/STRIPE_SECRET_ARN \(AWS\) or STRIPE_SECRET_KEY \(local\)/);
    expect(parseEnv(stripeEnvSchema, { STRIPE_SECRET_ARN: 'arn:aws:secretsmanager:x' })).toEqual({
      arn: 'arn:aws:secretsmanager:x',
      localValue: undefined,
    });
  });

  it('defaults the catalog and policy, and rejects a broken catalog or grace period', () => {
    const policy = parseEnv(policyEnvSchema, {});
    expect(policy.GRACE_PERIOD_DAYS).toBe(7);
    expect(policy.REVOKE_ON_DISPUTE).toBe(true);
    expect(policy.PLAN_CATALOG.plan('pro').group).toBe('pro');
    expect(() => parseEnv(policyEnvSchema, { PLAN_CATALOG: '{"plans":[]}' })).toThrow(/PLAN_CATALOG/);
    expect(() => parseEnv(policyEnvSchema, { GRACE_PERIOD_DAYS: 'soon' })).toThrow(/GRACE_PERIOD_DAYS/);
  });

  it('parses only what a contract declares, naming every missing variable at once', () => {
    expect(() => createRuntime(CONTRACTS.stripeWebhook, {})).toThrow(ConfigError);
    expect(() => createRuntime(CONTRACTS.stripeWebhook, {})).toThrow(
      /WEBHOOK_EVENTS_TABLE.*ENTITLEMENTS_TABLE.*USER_POOL_ID.*STRIPE_SECRET_ARN.*STRIPE_WEBHOOK_SECRET_ARN/s,
    );
    const reports = createRuntime(CONTRACTS.exampleReports, { ENTITLEMENTS_TABLE: 'entitlements' });
    expect(reports.tables).toEqual({ ENTITLEMENTS_TABLE: 'entitlements' });
    expect(reports.catalog.plan('free').precedence).toBe(50);
    expect(() => reports.userPoolId).toThrow(/USER_POOL_ID is not in this function's contract/);
  });

  it('needs nothing for a function without resources', () => {
    expect(createRuntime(CONTRACTS.openApi, {}).tables).toEqual({});
  });
});

describe('JWT caller', () => {
  const event = (claims: Record<string, unknown>) => ({ requestContext: { authorizer: { jwt: { claims } } } }) as never;

  it('reads sub, normalised email, username and groups', () => {
    expect(
      callerOf(
        event({
          sub: 'abc',
          email: 'Alice@Example.com',
          'cognito:username': 'Google_1',
          'cognito:groups': '[pro admins]',
        }),
      ),
    ).toEqual({
      sub: 'abc',
      email: 'alice@example.com',
      username: 'Google_1',
      groups: ['pro', 'admins'],
      givenName: undefined,
      familyName: undefined,
    });
  });

  it('rejects a missing or blank sub', () => {
    expect(() => callerOf(event({}))).toThrow(UnauthenticatedError);
    expect(() => callerOf(event({ sub: '  ' }))).toThrow(UnauthenticatedError);
    expect(() => callerOf({ requestContext: {} } as never)).toThrow(UnauthenticatedError);
  });

  it.each([
    [
      ['a', 'b'],
      ['a', 'b'],
    ],
    ['[a b]', ['a', 'b']],
    ['a,b', ['a', 'b']],
    ['[]', []],
    [undefined, []],
    [42, []],
  ])('parses groups claim %j', (claim, expected) => {
    expect(parseGroupsClaim(claim)).toEqual(expected);
  });
});

describe('http helpers', () => {
  it('decodes base64 bodies and parses JSON with clear errors', () => {
    const body = Buffer.from('{"a":1}').toString('base64');
    expect(rawBody({ body, isBase64Encoded: true })).toBe('{"a":1}');
    expect(parseJsonBody({ body: '', isBase64Encoded: false })).toEqual({});
    expect(() => parseJsonBody({ body: '{nope', isBase64Encoded: false })).toThrow('request body is not valid JSON');
    expect(() => parseJsonBody({ body: `"${'x'.repeat(70_000)}"`, isBase64Encoded: false })).toThrow(/exceeds/);
  });

  it('masks emails for logs', () => {
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
    expect(maskEmail('nope')).toBe('***');
    expect(maskEmail(undefined)).toBeUndefined();
  });
});
