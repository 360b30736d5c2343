import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, templateOf } from './support';

/**
 * Safety on change: the resources that hold users and data keep their logical ids and every property whose change
 * would make CloudFormation replace them (a new, empty pool or table; the old one orphaned by RETAIN, or deleted).
 * The committed snapshot (fixtures/stateful-resources.json) is what is deployed; a diff here means "this change
 * would replace or orphan a stateful resource". Before updating the snapshot, read docs/safe-changes.md and run
 * `npx cdk diff` against a deployed stage; then `UPDATE_STATEFUL_SNAPSHOT=1 npx vitest run
 * test/infra/stateful-resources.test.ts` and say why in the commit.
 */

const SNAPSHOT = join(__dirname, 'fixtures', 'stateful-resources.json');

/**
 * Per type: the properties that replace the resource when they change (CloudFormation "Update requires:
 * Replacement", or createOnly in the resource schema), and Cognito's that cannot change on a live pool.
 */
const REPLACEMENT_PROPERTIES: Record<string, readonly string[]> = {
  'AWS::Cognito::UserPool': [
    'UserPoolName',
    'UsernameAttributes',
    'AliasAttributes',
    'UsernameConfiguration',
    'Schema',
  ],
  'AWS::Cognito::UserPoolClient': ['UserPoolId', 'GenerateSecret'],
  'AWS::Cognito::UserPoolGroup': ['UserPoolId', 'GroupName'],
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema', 'AttributeDefinitions', 'LocalSecondaryIndexes'],
  'AWS::SecretsManager::Secret': ['Name'],
};

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

/** Stack suffix -> logical id -> what must not change. */
function statefulIdentity(testApp: TestApp): Record<string, Record<string, unknown>> {
  const stacks = { Data: testApp.data, Auth: testApp.auth };
  return Object.fromEntries(
    Object.entries(stacks).map(([suffix, stack]) => {
      const resources = templateOf(stack).toJSON().Resources as Record<string, Resource>;
      const stateful = Object.entries(resources)
        .filter(([, resource]) => resource.Type in REPLACEMENT_PROPERTIES)
        .map(([logicalId, resource]) => {
          const properties = Object.fromEntries(
            (REPLACEMENT_PROPERTIES[resource.Type] ?? [])
              .filter((name) => resource.Properties?.[name] !== undefined)
              .map((name) => [name, resource.Properties?.[name]]),
          );
          // Only the key's attribute definitions: a new index adds definitions without replacing the table.
          if (resource.Type === 'AWS::DynamoDB::Table') properties.AttributeDefinitions = keyAttributes(resource);
          return [
            logicalId,
            {
              type: resource.Type,
              deletionPolicy: resource.DeletionPolicy,
              updateReplacePolicy: resource.UpdateReplacePolicy,
              properties,
            },
          ];
        })
        .sort(([a], [b]) => String(a).localeCompare(String(b)));
      return [suffix, Object.fromEntries(stateful)];
    }),
  );
}

function keyAttributes(table: Resource): unknown[] {
  const keys = new Set(
    ((table.Properties?.KeySchema ?? []) as { AttributeName: string }[]).map((key) => key.AttributeName),
  );
  return ((table.Properties?.AttributeDefinitions ?? []) as { AttributeName: string }[]).filter((definition) =>
    keys.has(definition.AttributeName),
  );
}

/** The committed resources as they are now: a new resource (a plan's group, a table) replaces nothing. */
function committedNow(
  now: Record<string, Record<string, unknown>>,
  committed: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(committed).map(([stack, byId]) => [
      stack,
      Object.fromEntries(Object.keys(byId).map((id) => [id, now[stack]?.[id] ?? '(missing: removed or renamed)'])),
    ]),
  );
}

const ORIGINS = { allowedOrigins: 'https://app.example.com' };

describe('stateful resources keep their identity (no replacement on deploy)', () => {
  const dev = statefulIdentity(createTestApp());

  if (process.env.UPDATE_STATEFUL_SNAPSHOT === '1' || !existsSync(SNAPSHOT)) {
    writeFileSync(SNAPSHOT, `${JSON.stringify(dev, null, 2)}\n`);
  }
  const committed = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as typeof dev;

  it('the user pool, its client and groups, the tables and the secrets match the committed snapshot', () => {
    expect(
      committedNow(dev, committed),
      'A stateful resource would be replaced or orphaned (logical id or a replacement property changed): read ' +
        'docs/safe-changes.md, run `npx cdk diff` against a deployed stage, and only then update the snapshot',
    ).toEqual(committed);
  });

  it('covers the pool, the SPA client, every group and every table, all retained', () => {
    const all = Object.values(committed).flatMap((byId) => Object.values(byId)) as Record<string, unknown>[];
    const count = (type: string) => all.filter((resource) => resource.type === type).length;
    expect(count('AWS::Cognito::UserPool')).toBe(1);
    expect(count('AWS::Cognito::UserPoolClient')).toBe(1);
    expect(count('AWS::Cognito::UserPoolGroup')).toBeGreaterThanOrEqual(2);
    expect(count('AWS::DynamoDB::Table')).toBe(7);
    for (const resource of all.filter(
      (r) => r.type === 'AWS::Cognito::UserPool' || r.type === 'AWS::DynamoDB::Table',
    )) {
      expect(resource).toMatchObject({ deletionPolicy: 'Retain', updateReplacePolicy: 'Retain' });
    }
  });

  it.each([
    ['prod', { stage: 'prod', overrides: ORIGINS }],
    ['prod with Plus threat protection', { stage: 'prod', overrides: { ...ORIGINS, threatProtection: true } }],
    [
      'prod with identity providers, a domain and SES',
      {
        stage: 'prod',
        overrides: {
          ...ORIGINS,
          authDomainPrefix: 'example-login',
          identityProviders: { google: { clientId: 'id', clientSecretId: 'entitlements/google' } },
          sesEmail: {
            fromAddress: 'no-reply@example.com',
            identityArn: 'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
          },
        },
      },
    ],
  ] as const)('a stage option never touches them: %s', (_name, options) => {
    expect(committedNow(statefulIdentity(createTestApp(options)), committed)).toEqual(committed);
  });
});
