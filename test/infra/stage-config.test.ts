import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../lambdas/domain/default-catalog';
import { parseStageConfig, StageConfigError, stageConfigFromContext } from '../../lib/stage-config';

describe('stage config', () => {
  it('dev: localhost origins, no deletion protection, hourly reconcile, default catalog', () => {
    const config = parseStageConfig({ stage: 'dev' });
    expect(config).toMatchObject({
      stage: 'dev',
      isProduction: false,
      deletionProtection: false,
      allowedOrigins: ['http://localhost:5173', 'http://localhost:3000'],
      gracePeriodDays: 7,
      revokeOnDispute: true,
      reconcileSchedule: 'rate(1 hour)',
      logRetention: RetentionDays.TWO_WEEKS,
      threatProtection: false,
      traceSdkCalls: false,
    });
    expect(config.planCatalog.managedGroups()).toEqual(['free', 'trial', 'starter', 'pro', 'business', 'enterprise']);
  });

  it('prod: protected, longer retention, origins required', () => {
    expect(() => parseStageConfig({ stage: 'prod' })).toThrow(StageConfigError);
    expect(() => parseStageConfig({ stage: 'prod' })).toThrow(/Stage "prod" needs allowedOrigins/);
    const config = parseStageConfig({ stage: 'prod', overrides: { allowedOrigins: 'https://app.example.com' } });
    expect(config).toMatchObject({
      isProduction: true,
      deletionProtection: true,
      allowedOrigins: ['https://app.example.com'],
      logRetention: RetentionDays.ONE_YEAR,
    });
  });

  it('any other stage name is protected but not production', () => {
    const config = parseStageConfig({ stage: 'qa-2', stageOverrides: { allowedOrigins: ['https://qa.example.com'] } });
    expect(config).toMatchObject({
      isProduction: false,
      deletionProtection: true,
      logRetention: RetentionDays.ONE_MONTH,
    });
  });

  it('reads stage, cdk.json stages.<stage> and -c flags (flags win) from the CDK context', () => {
    const app = new App({
      context: {
        stage: 'staging',
        stages: { staging: { allowedOrigins: ['https://staging.example.com'], gracePeriodDays: 3 } },
        gracePeriodDays: '5',
        revokeOnDispute: 'false',
        traceSdkCalls: 'true',
        reconcileSchedule: 'rate(30 minutes)',
        logRetentionDays: '90',
        apiThrottle: '{"rateLimit":10,"burstLimit":20}',
      },
    });
    expect(stageConfigFromContext(app.node)).toMatchObject({
      stage: 'staging',
      allowedOrigins: ['https://staging.example.com'],
      gracePeriodDays: 5,
      revokeOnDispute: false,
      traceSdkCalls: true,
      reconcileSchedule: 'rate(30 minutes)',
      logRetention: RetentionDays.THREE_MONTHS,
      apiThrottle: { rateLimit: 10, burstLimit: 20 },
    });
  });

  it('accepts a catalog override as JSON and validates it with the catalog schema', () => {
    const catalog = structuredClone(DEFAULT_CATALOG);
    catalog.plans = catalog.plans.filter((plan) => plan.id !== 'enterprise');
    const config = parseStageConfig({ stage: 'dev', overrides: { planCatalog: JSON.stringify(catalog) } });
    expect(config.planCatalog.hasPlan('enterprise')).toBe(false);

    const duplicate = structuredClone(DEFAULT_CATALOG);
    const pro = duplicate.plans.find((plan) => plan.id === 'pro');
    if (pro) pro.precedence = 40;
    expect(() => parseStageConfig({ stage: 'dev', overrides: { planCatalog: duplicate } })).toThrow(
      /Invalid context "planCatalog" for stage "dev".*duplicate precedence 40/,
    );
  });

  it("accepts credit packs as JSON, validated against the plans (a pack may not take a plan's price)", () => {
    const packs = { packs: [{ id: 'credits_50', credits: 50, lookupKey: 'credits_50', maxQuantity: 3 }] };
    const config = parseStageConfig({ stage: 'dev', overrides: { creditPacks: JSON.stringify(packs) } });
    expect(config.creditPacks.pack('credits_50')).toMatchObject({ credits: 50, maxQuantity: 3 });
    expect(parseStageConfig({ stage: 'dev' }).creditPacks.ids()).toEqual(['credits_100', 'credits_500']);

    const clash = { packs: [{ id: 'x', credits: 1, lookupKey: 'pro_monthly' }] };
    expect(() => parseStageConfig({ stage: 'dev', overrides: { creditPacks: clash } })).toThrow(
      /Invalid context "creditPacks" for stage "dev".*lookup key "pro_monthly" is a plan's/,
    );
  });

  it.each([
    [{ stage: 'Prod' }, /Invalid context "stage"/],
    [{ stage: 'dev', overrides: { creditPacks: 'not json' } }, /creditPacks/],
    [{ stage: 'a-very-long-stage-name-indeed' }, /Invalid context "stage"/],
    [{ stage: 'dev', overrides: { allowedOrigins: 'http://app.example.com' } }, /allowedOrigins\.0: must be an origin/],
    [{ stage: 'dev', overrides: { allowedOrigins: 'https://app.example.com/' } }, /allowedOrigins\.0/],
    [
      { stage: 'dev', overrides: { allowedOrigins: 'https://u:p@app.example.com' } },
      /allowedOrigins\.0: must be an origin/,
    ],
    [
      { stage: 'dev', overrides: { allowedOrigins: 'https://app.example.com,http://192.168.1.10:3000' } },
      /allowedOrigins\.1: must be an origin like https:\/\/app\.example\.com \(https, no path or trailing slash; http only for localhost\)/,
    ],
    [{ stage: 'dev', stageOverrides: { bogus: 1, other: 2 } }, /stages\.dev.*: bogus, other: unknown field$/],
    [{ stage: 'dev', overrides: { gracePeriodDays: '-1' } }, /gracePeriodDays/],
    [{ stage: 'dev', overrides: { reconcileSchedule: 'every hour' } }, /reconcileSchedule: must be rate/],
    [{ stage: 'dev', overrides: { logRetentionDays: 15 } }, /logRetentionDays: must be one of/],
    [{ stage: 'dev', overrides: { revokeOnDispute: 'yes' } }, /revokeOnDispute/],
    [{ stage: 'dev', overrides: { traceSdkCalls: 'on' } }, /traceSdkCalls/],
    [{ stage: 'dev', overrides: { planCatalog: 'not json' } }, /planCatalog/],
    [{ stage: 'dev', stageOverrides: { allowedOrigin: ['https://x.example.com'] } }, /stages\.dev.*allowedOrigin/],
  ])('rejects %j with a clear message', (input, message) => {
    expect(() => parseStageConfig(input)).toThrow(message);
  });

  it('accepts https origins and plain http only on localhost/127.0.0.1 (the rule in lambdas/platform/origins.ts)', () => {
    const origins = 'https://app.example.com,http://localhost:5173,http://127.0.0.1:3000';
    expect(parseStageConfig({ stage: 'dev', overrides: { allowedOrigins: origins } }).allowedOrigins).toEqual(
      origins.split(','),
    );
  });
});

describe('stage config: alarms', () => {
  it('defaults: no email, overdue after two intervals, parked events after 6 h', () => {
    expect(parseStageConfig({ stage: 'dev' }).alarms).toEqual({
      emails: [],
      reconcileIntervalMinutes: 60,
      reconcileOverdueMinutes: 120,
      parkedEventsHours: 6,
    });
  });

  it('reads emails as a list or comma-separated, and derives the windows from a rate schedule', () => {
    const config = parseStageConfig({
      stage: 'dev',
      stageOverrides: { alarmEmails: ['ops@example.com'], reconcileSchedule: 'rate(1 day)' },
      overrides: { alarmEmails: 'ops@example.com,oncall@example.com' },
    });
    expect(config.alarms).toEqual({
      emails: ['ops@example.com', 'oncall@example.com'],
      reconcileIntervalMinutes: 1440,
      reconcileOverdueMinutes: 2880,
      parkedEventsHours: 48,
    });
  });

  it('a cron schedule needs its interval; a rate schedule refuses one', () => {
    const cron = { reconcileSchedule: 'cron(0 3 * * ? *)' };
    expect(() => parseStageConfig({ stage: 'dev', overrides: cron })).toThrow(/needs reconcileIntervalMinutes/);
    expect(
      parseStageConfig({ stage: 'dev', overrides: { ...cron, reconcileIntervalMinutes: '1440' } }).alarms,
    ).toMatchObject({ reconcileIntervalMinutes: 1440, reconcileOverdueMinutes: 2880 });
    expect(() => parseStageConfig({ stage: 'dev', overrides: { reconcileIntervalMinutes: 60 } })).toThrow(
      /already sets it/,
    );
  });

  it.each([
    [{ alarmEmails: 'not-an-email' }, /alarmEmails\.0: must be an email address/],
    [{ reconcileOverdueMinutes: 30 }, /reconcileOverdueMinutes.*shorter than the schedule's interval/],
    [{ parkedEventsAlarmHours: 1 }, /parkedEventsAlarmHours.*less than two reconcile intervals/],
    [{ parkedEventsAlarmHours: 200 }, /parkedEventsAlarmHours/],
    [{ reconcileSchedule: 'rate(7 days)' }, /cannot be watched/],
  ])('rejects %j', (overrides, message) => {
    expect(() => parseStageConfig({ stage: 'dev', overrides })).toThrow(message);
  });
});
