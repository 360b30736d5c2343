import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppStacks } from '../../../../lib/app-stacks';
import { stageConfigFromContext } from '../../../../lib/stage-config';
import { loadCloudAssembly, type ShippedApp, type ShippedFunction } from '../../../../local/aws/cloud-assembly';
import { evaluate } from '../../../../local/aws/iam-policy';

const ROOT = path.resolve(__dirname, '../../../..');
const LOCAL = {
  region: 'us-east-1',
  accountId: '000000000000',
  userPoolId: 'us-east-1_local',
  userPoolClientId: 'local-client',
};

let outdir: string;
let app: ShippedApp;

/** The same app bin/app.ts synthesizes (cdk.json context, stage dev, esbuild bundling), into a temp folder. */
function synthesize(dir: string): void {
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const cdkApp = new App({ outdir: dir, context: { ...cdkJson.context, stage: 'dev' } });
  createAppStacks(cdkApp, stageConfigFromContext(cdkApp.node));
  cdkApp.synth();
}

const fn = (name: string): ShippedFunction => {
  const found = app.functions.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no function ${name}: ${app.functions.map((f) => f.name).join(', ')}`);
  return found;
};

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'shipped-assembly-'));
  synthesize(outdir);
  app = loadCloudAssembly(outdir, LOCAL);
}, 180_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('the synthesized assembly of this repo', () => {
  it('holds fourteen functions, each with a bundle on disk', () => {
    expect(app.functions).toHaveLength(14);
    for (const shipped of app.functions) {
      expect(existsSync(path.join(shipped.assetDir, 'index.js')), shipped.name).toBe(true);
    }
  });

  it('resolves every environment variable to a plain local value', () => {
    for (const shipped of app.functions) {
      for (const [variable, value] of Object.entries(shipped.environment)) {
        const where = `${shipped.name} ${variable}=${value.slice(0, 80)}`;
        expect(value, where).not.toContain('${Token[');
        expect(value, where).not.toMatch(/\{\s*"(Ref|Fn::\w+)"\s*:/);
      }
    }
    expect(fn('StripeWebhook').environment).toMatchObject({
      WEBHOOK_EVENTS_TABLE: 'WebhookEvents',
      USER_POOL_ID: 'us-east-1_local',
    });
  });

  it('lets the webhook PutItem on the WebhookEvents table, as its role grants', () => {
    // Prepare
    const table = app.tables.find((candidate) => candidate.name === 'WebhookEvents');
    // Act
    const decision = evaluate(fn('StripeWebhook').statements, 'dynamodb:PutItem', table?.arn ?? 'missing');
    // Assess
    expect(table?.arn).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/WebhookEvents');
    expect(decision).toMatchObject({ allowed: true });
  });

  it('wires the webhook route, the example route behind its Lambda authorizer, both Cognito triggers and one schedule', () => {
    expect(app.routes).toContainEqual({
      method: 'POST',
      path: '/webhooks/stripe',
      auth: 'none',
      functionLogicalId: fn('StripeWebhook').logicalId,
    });
    expect(app.routes).toContainEqual({
      method: 'GET',
      path: '/example/reports',
      auth: 'custom',
      functionLogicalId: fn('ExampleApiReports').logicalId,
      authorizer: {
        functionLogicalId: fn('ExampleApiAuthorizersfeature-scheduled-backups').logicalId,
        identitySource: ['$request.header.Authorization'],
        ttlSeconds: 60,
        simpleResponses: true,
        payloadFormatVersion: '2.0',
      },
    });
    expect(app.triggers).toEqual({
      PreSignUp: fn('CognitoTriggersPreSignUp').logicalId,
      PostConfirmation: fn('CognitoTriggersPostConfirmation').logicalId,
    });
    expect(app.schedules).toEqual([
      { expression: expect.any(String), functionLogicalId: fn('ReconcileScheduled').logicalId },
    ]);
  });
});
