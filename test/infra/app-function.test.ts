import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { CreditPacks } from '../../lambdas/domain/credit-packs';
import { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import type { FunctionContract } from '../../lambdas/platform/contracts';
import { AppFunction, SecretInEnvironmentError } from '../../lib/constructs/app-function';
import { createTestApp, findSecretsInLambdaEnvironments, templateOf } from './support';

const entry = 'test/infra/fixtures/noop-handler.ts';

const PROBE_CONTRACT: FunctionContract = {
  tables: { userProfiles: ['GetItem', 'Query'], entitlements: ['GetItem', 'UpdateItem'], auditLog: ['PutItem'] },
  secrets: ['stripeApiKey', 'stripeWebhookSecret'],
  userPool: { poolIdFrom: 'env', actions: ['AdminAddUserToGroup'] },
  variables: ['FEATURE_FLAG'],
};

/** A throwaway AppFunction wired like a feature Lambda (tables, both secrets, the pool). */
function appWithProbe() {
  const testApp = createTestApp();
  const { api, data, auth, config } = testApp;
  const probe = new AppFunction(api, 'Probe', { entry, config, environment: { FEATURE_FLAG: 'on' } }).useContract(
    PROBE_CONTRACT,
    {
      tables: data.tables,
      secrets: {
        stripeApiKey: data.stripeSecrets.apiKey,
        stripeWebhookSecret: data.stripeSecrets.webhookSigningSecret,
      },
      userPool: auth.userPool,
    },
  );
  return { testApp, probe };
}

describe('AppFunction', () => {
  const { testApp, probe } = appWithProbe();
  const template = templateOf(testApp.api);
  const logicalId = testApp.api.getLogicalId(probe.fn.node.defaultChild as CfnFunction);
  const fnResource = () => template.toJSON().Resources[logicalId];

  it('runs Node 22 on arm64 with tracing, source maps and its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ProbeLogs') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('always sets STAGE, PLAN_CATALOG, POWERTOOLS_SERVICE_NAME, policy and source-map variables', () => {
    const env = fnResource().Properties.Environment.Variables;
    expect(env).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'Probe',
      // SDK tracing is off unless the stage turns it on (lambdas/platform/sdk-tracing.ts)
      POWERTOOLS_TRACE_ENABLED: 'false',
      STAGE: 'dev',
      GRACE_PERIOD_DAYS: '7',
      REVOKE_ON_DISPUTE: 'true',
      FEATURE_FLAG: 'on',
    });
    expect(PlanCatalog.fromJson(env.PLAN_CATALOG).toJSON()).toEqual(PlanCatalog.defaults().toJSON());
    expect(CreditPacks.fromJson(env.CREDIT_PACKS).toJSON()).toEqual(CreditPacks.defaults().toJSON());
  });

  it('passes table names, secret ARNs and the pool id as references only', () => {
    const env = fnResource().Properties.Environment.Variables;
    for (const name of [
      'USER_PROFILES_TABLE',
      'ENTITLEMENTS_TABLE',
      'AUDIT_TABLE',
      'STRIPE_SECRET_ARN',
      'STRIPE_WEBHOOK_SECRET_ARN',
      'USER_POOL_ID',
    ]) {
      expect(env[name], name).toEqual({ 'Fn::ImportValue': expect.any(String) });
    }
    expect(env.PARKED_EVENTS_TABLE).toBeUndefined();
  });

  it('grants per table and per named index, secrets read-only, no managed policies', () => {
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((r) =>
      JSON.stringify(r).includes('Execution role of dev-Api/Probe'),
    );
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policy).toContain('/index/EmailIndex');
    expect(policy).toContain('/index/StripeCustomerIndex');
    expect(policy).not.toContain('/index/*');
    expect(policy).toContain('secretsmanager:GetSecretValue');
    expect(policy).not.toContain('secretsmanager:PutSecretValue');
    expect(policy).toContain('cognito-idp:AdminAddUserToGroup');
  });

  it('applies memory and timeout overrides', () => {
    const custom = createTestApp();
    new AppFunction(custom.auth, 'Trigger', {
      entry,
      config: custom.config,
      memorySize: 256,
      timeout: Duration.seconds(5),
    });
    templateOf(custom.auth).hasResourceProperties('AWS::Lambda::Function', { MemorySize: 256, Timeout: 5 });
  });

  it('refuses secret-looking values and names at synth, and secret env names without _ARN', () => {
    const bad = createTestApp();
    const make = (environment: Record<string, string>) => () =>
      new AppFunction(bad.api, `Bad${Object.keys(environment)[0]}`, { entry, config: bad.config, environment });
    expect(make({ STRIPE_KEY: `sk_live_${'a1'.repeat(12)}` })).toThrow(SecretInEnvironmentError);
    expect(make({ HOOK: `whsec_${'b2'.repeat(12)}` })).toThrow(/webhook signing secret/);
    expect(make({ STRIPE_SECRET_KEY: 'placeholder' })).toThrow(/_ARN instead/);
    const fn = new AppFunction(bad.api, 'Ok', { entry, config: bad.config });
    expect(() => fn.addEnvironment('OPAQUE', 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u')).toThrow(/opaque/);
    expect(() => fn.useContract({ tables: {}, secrets: ['stripeApiKey'] }, { tables: bad.data.tables })).toThrow(
      /needs secret stripeApiKey/,
    );
  });
});

describe('secret scan of Lambda environments', () => {
  it('passes every stack of the app, including one with a fully wired feature Lambda', () => {
    const { testApp } = appWithProbe();
    for (const stack of [testApp.data, testApp.auth, testApp.api]) {
      expect(findSecretsInLambdaEnvironments(stack)).toEqual([]);
    }
  });

  it('flags a secret planted past the AppFunction guard (raw override)', () => {
    const { testApp, probe } = appWithProbe();
    const cfn = probe.fn.node.defaultChild as CfnFunction;
    cfn.addPropertyOverride('Environment.Variables.LEAKED_KEY_VALUE', `sk_test_${'c3'.repeat(12)}`);
    cfn.addPropertyOverride('Environment.Variables.STRIPE_WEBHOOK_SECRET', 'anything');
    const findings = findSecretsInLambdaEnvironments(testApp.api);
    expect(findings.map((f) => f.variable).sort()).toEqual(['LEAKED_KEY_VALUE', 'STRIPE_WEBHOOK_SECRET']);
    expect(findings[0]?.stack).toBe('dev-Api');
  });

  it('finds no Stripe key material anywhere in any template', () => {
    const { testApp } = appWithProbe();
    for (const stack of [testApp.data, testApp.auth, testApp.api]) {
      expect(JSON.stringify(templateOf(stack).toJSON())).not.toMatch(/\b(sk|rk)_(live|test)_|whsec_[A-Za-z0-9]/);
    }
  });
});
