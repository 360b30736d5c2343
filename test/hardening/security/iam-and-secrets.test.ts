import type { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteDefinition } from '../../../lib/route-table';
import { TABLES } from '../../../lib/table-definitions';
import {
  allStacks,
  createTestApp,
  findSecretsInLambdaEnvironments,
  type TestApp,
  templateOf,
} from '../../infra/support';

/**
 * Security review over the synthesized templates of ALL stacks (the real app, as bin/app.ts composes it):
 * least-privilege IAM per Lambda, no secret-looking literal anywhere, API throttling, cdk-nag clean.
 */

type Json = Record<string, unknown>;
let testApp: TestApp;
let stacks: Stack[];
let templates: { stack: string; resources: Record<string, Json> }[];

beforeAll(() => {
  testApp = createTestApp();
  // Every stack of the app, including constructs added by features after the helper was written.
  stacks = testApp.app.node.children.filter((c): c is Stack => 'templateOptions' in c);
  templates = stacks.map((stack) => ({
    stack: stack.stackName,
    resources: (templateOf(stack).toJSON() as { Resources: Record<string, Json> }).Resources,
  }));
});

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Logical ids and import names a CloudFormation value refers to (Ref, GetAtt, ImportValue, inside Join). */
function references(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(references);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Json);
    const [only] = entries;
    if (entries.length === 1 && only) {
      const [key, inner] = only;
      if (key === 'Ref') return [String(inner)];
      if (key === 'Fn::GetAtt') return [String(asArray(inner as string[])[0])];
      if (key === 'Fn::ImportValue') return references(inner);
    }
    return entries.flatMap(([, nested]) => references(nested));
  }
  return [];
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every function with the statements of every policy attached to its role. */
function functionsWithPolicies() {
  return templates.flatMap(({ stack, resources }) =>
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, fn]) => {
        const props = fn.Properties as { Role: unknown; Environment?: { Variables?: Record<string, unknown> } };
        const role = references(props.Role)[0] ?? '';
        const statements = Object.values(resources)
          .filter((r) => r.Type === 'AWS::IAM::Policy')
          .filter((p) => references((p.Properties as Json).Roles).includes(role))
          .flatMap(
            (p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement ?? [],
          );
        return { stack, id, env: props.Environment?.Variables ?? {}, statements };
      }),
  );
}

/** The table logical ids of the Data stack (by TABLES key, matched on the logical id prefix). */
function tableIdentity(reference: string, tableIds: string[]): string | undefined {
  return tableIds.find((id) => reference.includes(id));
}

describe('IAM, asserted over every stack', () => {
  it('names no wildcard action anywhere (no "*", no "service:*", no "service:Prefix*")', () => {
    const wildcards = templates.flatMap(({ stack, resources }) =>
      Object.entries(resources)
        .filter(
          ([, r]) =>
            r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::ManagedPolicy',
        )
        .flatMap(([id, r]) => {
          const props = r.Properties as Json;
          const docs = [
            props.PolicyDocument,
            ...asArray(props.Policies as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument),
          ];
          return docs
            .flatMap((doc) => asArray((doc as { Statement?: Statement[] } | undefined)?.Statement))
            .flatMap((s) => asArray(s.Action))
            .filter((action) => action.includes('*'))
            .map((action) => `${stack}/${id}: ${action}`);
        }),
    );
    expect(wildcards).toEqual([]);
  });

  it('gives each Lambda only the tables, indexes, secrets and user pool its environment names', () => {
    const dataResources = templates.flatMap(({ resources }) => Object.entries(resources));
    const tableIds = dataResources.filter(([, r]) => r.Type === 'AWS::DynamoDB::Table').map(([id]) => id);
    const secretIds = dataResources.filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret').map(([id]) => id);
    const poolIds = dataResources.filter(([, r]) => r.Type === 'AWS::Cognito::UserPool').map(([id]) => id);
    expect(tableIds.length).toBe(Object.keys(TABLES).length);
    const tableEnvVars = new Set<string>(Object.values(TABLES).map((t) => t.envVar));

    const violations: string[] = [];
    let checkedTableGrants = 0;
    const functions = functionsWithPolicies();
    expect(functions.length).toBeGreaterThanOrEqual(5);
    for (const fn of functions) {
      const envRefs = Object.entries(fn.env).flatMap(([name, value]) =>
        references(value).map((ref) => ({ name, ref })),
      );
      const ownTables = new Set(
        envRefs
          .filter((e) => tableEnvVars.has(e.name))
          .map((e) => tableIdentity(e.ref, tableIds))
          .filter(Boolean),
      );
      const ownSecrets = new Set(
        envRefs
          .filter((e) => e.name.endsWith('_SECRET_ARN'))
          .map((e) => secretIds.find((id) => e.ref.includes(id)))
          .filter(Boolean),
      );
      for (const statement of fn.statements.filter((s) => s.Effect === 'Allow')) {
        const actions = asArray(statement.Action);
        const resources = asArray(statement.Resource);
        if (resources.includes('*')) {
          // Only actions AWS cannot scope to a resource.
          const unscoped = actions.filter(
            (a) => !/^(xray:(PutTraceSegments|PutTelemetryRecords)|cloudwatch:PutMetricData)$/.test(a),
          );
          if (unscoped.length) violations.push(`${fn.id}: ${unscoped.join(',')} on "*"`);
          continue;
        }
        const refs = resources.flatMap(references);
        if (actions.some((a) => a.startsWith('dynamodb:'))) {
          for (const ref of refs) {
            const table = tableIdentity(ref, tableIds);
            if (table) checkedTableGrants += 1;
            if (table && !ownTables.has(table)) violations.push(`${fn.id}: ${actions[0]} on foreign table ${table}`);
          }
        }
        if (actions.some((a) => a.startsWith('secretsmanager:'))) {
          for (const ref of refs) {
            const secret = secretIds.find((id) => ref.includes(id));
            if (secret && !ownSecrets.has(secret)) violations.push(`${fn.id}: reads secret ${secret} it does not name`);
          }
        }
        if (actions.some((a) => a.startsWith('cognito-idp:'))) {
          const ok = refs.some((ref) => poolIds.some((id) => ref.includes(id)) || /userpool/i.test(ref));
          if (!ok) violations.push(`${fn.id}: cognito actions on ${JSON.stringify(statement.Resource)}`);
        }
      }
    }
    expect(violations).toEqual([]);
    // The check saw real grants (a reference format it cannot read would make it pass vacuously).
    expect(checkedTableGrants).toBeGreaterThan(functions.length);
  });
});

describe('secrets only in Secrets Manager', () => {
  it('no Lambda environment of any stack holds a secret-looking value', () => {
    expect(stacks.flatMap((stack) => findSecretsInLambdaEnvironments(stack))).toEqual([]);
  });

  it('no string anywhere in any template looks like a Stripe key, webhook secret or a private key', () => {
    const leaks = templates.flatMap(({ stack, resources }) => {
      const text = JSON.stringify(resources);
      return [
        ...text.matchAll(
          /(sk|rk)_(live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/g,
        ),
      ].map((m) => `${stack}: ${m[0].slice(0, 12)}…`);
    });
    expect(leaks).toEqual([]);
  });

  it('the Stripe secrets are Secrets Manager secrets without a literal SecretString', () => {
    const secrets = templates.flatMap(({ resources }) =>
      Object.values(resources).filter((r) => r.Type === 'AWS::SecretsManager::Secret'),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) expect((secret.Properties as Json).SecretString).toBeUndefined();
  });
});

describe('API protections', () => {
  it('the HTTP API stage has a default throttle (rate and burst)', () => {
    const stages = templates.flatMap(({ resources }) =>
      Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Stage'),
    );
    expect(stages.length).toBeGreaterThanOrEqual(1);
    for (const stage of stages) {
      const settings = (stage.Properties as { DefaultRouteSettings?: Json }).DefaultRouteSettings ?? {};
      expect(settings.ThrottlingRateLimit).toBeGreaterThan(0);
      expect(settings.ThrottlingBurstLimit).toBeGreaterThan(0);
    }
  });

  it('every JWT route uses the Cognito JWT authorizer (entitlements routes their Lambda authorizer), and only the webhook and OpenAPI routes are public', () => {
    const routes = templates.flatMap(({ resources }) =>
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
        .map((r) => r.Properties as { RouteKey: string; AuthorizationType?: string }),
    );
    const publicRoutes = routes.filter((r) => (r.AuthorizationType ?? 'NONE') === 'NONE').map((r) => r.RouteKey);
    expect(publicRoutes.sort()).toEqual(['GET /openapi.json', 'POST /webhooks/stripe']);
    const lambdaAuthorized = Object.values(ROUTES)
      .filter((r: RouteDefinition) => r.auth === 'entitlements')
      .map((r) => `${r.method} ${r.path}`);
    expect(lambdaAuthorized).toEqual(['GET /example/reports']);
    for (const route of routes.filter((r) => !publicRoutes.includes(r.RouteKey))) {
      expect(`${route.RouteKey} ${route.AuthorizationType}`).toBe(
        `${route.RouteKey} ${lambdaAuthorized.includes(route.RouteKey) ? 'CUSTOM' : 'JWT'}`,
      );
    }
  });
});

describe('cdk-nag over the whole app', () => {
  it('reports zero unacknowledged findings across every stack and construct, and the app has all stacks', () => {
    expect(stacks.map((s) => s.stackName).sort()).toEqual(
      allStacks(testApp)
        .map((s) => s.stackName)
        .sort(),
    );
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(testApp.app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.length}`)).toEqual([]);
  });
});
