import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type AppStacks, createAppStacks } from '../../lib/app-stacks';
import { secretLikeReason } from '../../lib/secret-patterns';
import { parseStageConfig, type StageOverrides } from '../../lib/stage-config';

/**
 * Shared factory for infra tests: builds the real app (same composition as bin/app.ts) with esbuild bundling
 * switched off (`aws:cdk:bundling-stacks: []`), so tests stay fast and need neither Docker nor a build.
 */
export interface TestAppOptions {
  stage?: string;
  /** Like `-c key=value` flags (highest precedence). */
  overrides?: StageOverrides;
  /** Like cdk.json `stages.<stage>`. */
  stageOverrides?: StageOverrides;
  /** Extra CDK context. */
  context?: Record<string, unknown>;
}

export interface TestApp extends AppStacks {
  app: App;
}

export function createTestApp(options: TestAppOptions = {}): TestApp {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...options.context } });
  const config = parseStageConfig({
    stage: options.stage ?? 'dev',
    stageOverrides: options.stageOverrides,
    overrides: options.overrides,
  });
  return { app, ...createAppStacks(app, config) };
}

/** Memoises templates: synthesising a stack twice is wasted time on 2 cores. */
const templates = new WeakMap<Stack, Template>();
export function templateOf(stack: Stack): Template {
  let template = templates.get(stack);
  if (!template) {
    template = Template.fromStack(stack);
    templates.set(stack, template);
  }
  return template;
}

export interface SecretFinding {
  stack: string;
  resource: string;
  variable: string;
  reason: string;
}

/**
 * Scans every Lambda function's environment in a stack for values that look like secrets (Stripe sk_/rk_/whsec_
 * keys, long base64-ish tokens) or names that say "secret" without being an `_ARN` reference. Intrinsics (Ref,
 * GetAtt, ImportValue) are references, not values; literal strings inside Fn::Join are scanned too.
 */
export function findSecretsInLambdaEnvironments(stack: Stack): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const functions = templateOf(stack).findResources('AWS::Lambda::Function');
  for (const [logicalId, resource] of Object.entries(functions)) {
    const variables = (resource as { Properties?: { Environment?: { Variables?: Record<string, unknown> } } })
      .Properties?.Environment?.Variables;
    for (const [name, value] of Object.entries(variables ?? {})) {
      const literals = literalStrings(value);
      const reasons = (literals.length > 0 ? literals : ['']).map((literal) => secretLikeReason(name, literal));
      const reason = reasons.find((r) => r !== undefined);
      if (reason) findings.push({ stack: stack.stackName, resource: logicalId, variable: name, reason });
    }
  }
  return findings;
}

/** Literal strings of a CloudFormation value (skipping Ref/GetAtt/ImportValue, walking Fn::Join parts). */
function literalStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(literalStrings);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0] && /^(Ref|Fn::GetAtt|Fn::ImportValue)$/.test(entries[0][0])) return [];
    return entries.flatMap(([, nested]) => literalStrings(nested));
  }
  return [];
}

/** All stacks of a test app, for "every stack" assertions. */
export function allStacks(app: TestApp): Stack[] {
  return [app.data, app.auth, app.api];
}
