import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parseStageConfig } from '../../lib/stage-config';
import { createTestApp, templateOf } from './support';

/**
 * README's deploy section is what a first-time deployer follows: every stack output it names must exist in the
 * synthesized templates (in the stack it says), and the webhook URL must compose the way the ApiUrl output really
 * ends. Conventions the section keeps so this test can read it:
 *   - output names appear in backticks (`ApiUrl`), and a backticked PascalCase word there is always an output name;
 *   - commands read outputs with `out <Data|Auth|Api> <OutputKey>` (a helper the section defines);
 *   - the outputs table has one stack per row: | `<stage>-Api` | `ApiUrl` | ... |.
 */

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

function deploySection(markdown: string): string {
  const start = markdown.indexOf('\n## Deploy\n');
  if (start < 0) throw new Error('README has no "## Deploy" section');
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

const section = deploySection(README);
const prose = section.replace(/```[\s\S]*?```/g, '');
const code = [...section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1] ?? '').join('\n');

const testApp = createTestApp({ stage: 'dev' });
const stacks: Record<string, Stack> = { Data: testApp.data, Auth: testApp.auth, Api: testApp.api };
/** Output keys per stack suffix, CDK's cross-stack `ExportsOutput...` left out (they are not for people). */
const outputs: Record<string, Record<string, { Value?: unknown }>> = Object.fromEntries(
  Object.entries(stacks).map(([suffix, stack]) => [
    suffix,
    Object.fromEntries(
      Object.entries(templateOf(stack).toJSON().Outputs ?? {}).filter(([key]) => !key.startsWith('ExportsOutput')),
    ) as Record<string, { Value?: unknown }>,
  ]),
);
const allOutputNames = new Set(Object.values(outputs).flatMap((byKey) => Object.keys(byKey)));

describe('README deploy section matches the synthesized outputs', () => {
  it('names its stacks the way the app does', () => {
    expect(Object.values(stacks).map((stack) => stack.stackName)).toEqual(['dev-Data', 'dev-Auth', 'dev-Api']);
    // The `out` helper composes "<stage>-<suffix>".
    expect(code).toMatch(/out\(\) \{ aws cloudformation describe-stacks --stack-name "\$STAGE-\$1"/);
  });

  it('mentions only outputs that exist (every backticked PascalCase name, and every *Arn/*Id/*Url/*Name word)', () => {
    const backticked = [...prose.matchAll(/`([A-Z][A-Za-z0-9]+)`/g)].map((match) => match[1] ?? '');
    const outputLike = [...section.matchAll(/\b([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*(?:Arn|Id|Url|Name))\b/g)].map(
      (match) => match[1] ?? '',
    );
    const mentioned = [...new Set([...backticked, ...outputLike])];
    expect(mentioned).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'UserPoolId',
        'UserPoolClientId',
        'StripeApiKeySecretArn',
        'StripeWebhookSigningSecretArn',
      ]),
    );
    expect(mentioned.filter((name) => !allOutputNames.has(name))).toEqual([]);
  });

  it('reads each output from the stack that has it (`out <stack> <key>` and the outputs table)', () => {
    const calls = [...code.matchAll(/\bout (Data|Auth|Api) ([A-Za-z0-9]+)/g)].map((m): [string, string] => [
      m[1] ?? '',
      m[2] ?? '',
    ]);
    const rows = [...prose.matchAll(/^\| `<stage>-(Data|Auth|Api)` \| ([^|]+)\|/gm)].flatMap((m) =>
      [...(m[2] ?? '').matchAll(/`([A-Za-z0-9]+)`/g)].map((key): [string, string] => [m[1] ?? '', key[1] ?? '']),
    );
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const wrong = [...calls, ...rows].filter(([stack, key]) => !(key in (outputs[stack] ?? {})));
    expect(wrong).toEqual([]);
    // Every output a person needs is in the table.
    const listed = new Set(rows.map(([, key]) => key));
    expect([...allOutputNames].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('composes the webhook URL as ApiUrl + "webhooks/stripe" because ApiUrl already ends in "/"', () => {
    // The output: Fn::Join of the API endpoint and a trailing "/".
    const apiUrl = JSON.stringify(outputs.Api?.ApiUrl?.Value);
    expect(apiUrl).toMatch(/"\/"\]\]\}$/);
    const route = Object.values(templateOf(testApp.api).findResources('AWS::ApiGatewayV2::Route')).map(
      (resource) => (resource as { Properties: { RouteKey: string } }).Properties.RouteKey,
    );
    expect(route).toContain('POST /webhooks/stripe');

    const variable = /\b([A-Z_]+)=\$\(out Api ApiUrl\)/.exec(code)?.[1];
    expect(variable).toBeDefined();
    const uses = [...section.matchAll(new RegExp(`\\$\\{?${variable}\\}?(.)`, 'g'))].map((m) => m[1]);
    expect(uses.length).toBeGreaterThan(0);
    expect(uses).not.toContain('/');
    expect(section).toContain(`"\${${variable}}webhooks/stripe"`);
    // The curl base strips the slash so "$API/route" has one.
    expect(code).toMatch(new RegExp(`\\bAPI=\\$\\{${variable}%/\\}`));
    expect(section).not.toMatch(/<api url>\/webhooks|ApiUrl\/webhooks/i);
  });

  it('gives non-dev stages allowedOrigins the way stage-config accepts them', () => {
    const deploys = [...code.matchAll(/npm run deploy -- ((?:-c \S+ ?)+)/g)].map((m) => m[1] ?? '');
    const prod = deploys.find((flags) => flags.includes('stage=prod'));
    expect(prod).toBeDefined();
    const context = Object.fromEntries(
      [...(prod ?? '').matchAll(/-c ([A-Za-z]+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    const { stage, ...overrides } = context;
    expect(parseStageConfig({ stage, overrides }).allowedOrigins.length).toBeGreaterThan(0);
    expect(() => parseStageConfig({ stage })).toThrow(/needs allowedOrigins/);
    expect(prose).toContain('allowedOrigins');
  });

  it('covers the first-time steps: both secrets, admins, Customer Portal in test and live mode, an ID token, smoke', () => {
    expect(code).toMatch(/put-secret-value --secret-id "\$\(out Data StripeApiKeySecretArn\)"/);
    expect(code).toMatch(/put-secret-value --secret-id "\$\(out Data StripeWebhookSigningSecretArn\)"/);
    expect(code).toMatch(
      /admin-add-user-to-group --user-pool-id "\$\(out Auth UserPoolId\)"[\s\S]*--group-name admins/,
    );
    expect(prose).toMatch(/Customer portal[\s\S]*test\s+mode[\s\S]*live\s+mode/);
    expect(code).toMatch(/npm run -s id-token -- --stage/);
    expect(code).toMatch(/npm run smoke -- --stage/);
  });
});
