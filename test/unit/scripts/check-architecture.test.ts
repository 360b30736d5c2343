import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALLOWED, checkAdapterNames, checkArchitecture, checkPortNames } from '../../../scripts/check-architecture';

const REPO_LAMBDAS = join(__dirname, '..', '..', '..', 'lambdas');

/** A throwaway lambdas/ tree: file path -> source. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  roots.push(root);
  return root;
}
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('npm run lint: the layering of lambdas/', () => {
  it('holds for this repository', () => {
    expect(checkArchitecture(REPO_LAMBDAS)).toEqual({ violations: [], cycles: [] });
  });

  it('flags a domain module importing an adapter, and one importing the AWS SDK', () => {
    // Prepare
    const root = tree({
      'domain/policy.ts':
        "import { save } from '../adapters/dynamo/store';\nimport { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n",
      'adapters/dynamo/store.ts': 'export const save = 1;\n',
    });

    // Act
    const { violations } = checkArchitecture(root);

    // Assess
    expect(violations).toEqual([
      { file: 'domain/policy.ts', imports: 'adapters/dynamo/store.ts', rule: 'domain may not import adapters' },
      {
        file: 'domain/policy.ts',
        imports: '@aws-sdk/client-dynamodb',
        rule: 'domain stays free of @aws-sdk/client-dynamodb',
      },
    ]);
  });

  it('flags a handler that builds an adapter itself instead of taking it from wiring/', () => {
    const root = tree({
      'handlers/status.ts': "import { Store } from '../adapters/dynamo/store';\n",
      'adapters/dynamo/store.ts': 'export class Store {}\n',
    });
    expect(checkArchitecture(root).violations).toEqual([
      { file: 'handlers/status.ts', imports: 'adapters/dynamo/store.ts', rule: 'handlers may not import adapters' },
    ]);
  });

  it('reports an import cycle between two use cases', () => {
    const root = tree({
      'use-cases/webhook/apply.ts': "import { retry } from './retry';\nexport const apply = 1;\n",
      'use-cases/webhook/retry.ts': "import { apply } from './apply';\nexport const retry = 1;\n",
    });
    expect(checkArchitecture(root).cycles).toEqual([
      ['use-cases/webhook/apply.ts', 'use-cases/webhook/retry.ts', 'use-cases/webhook/apply.ts'],
    ]);
  });

  it("allows the use cases' one stated exception, the logger", () => {
    const root = tree({
      'use-cases/identity/provision.ts': "import { logger } from '../../platform/logger';\n",
      'platform/logger.ts': 'export const logger = {};\n',
    });
    expect(checkArchitecture(root).violations).toEqual([]);
  });
});

describe('npm run lint: adapter names (<Technology><Thing><Role>)', () => {
  it('holds for this repository', () => {
    expect(checkAdapterNames(REPO_LAMBDAS)).toEqual([]);
  });

  it("flags a class without its technology, one without a role suffix, and one whose role is not its port's", () => {
    // Prepare
    const root = tree({
      'adapters/dynamo/tombstones.ts': 'export class DynamoAccountTombstones implements AccountTombstoneStore {}\n',
      'adapters/stripe/listing.ts': 'export class CustomerListingSource {}\n',
      'adapters/cognito/groups.ts': 'export class CognitoGroupStore implements GroupGateway {}\n',
    });

    // Act
    const violations = checkAdapterNames(root);

    // Assess
    expect(violations).toEqual([
      {
        file: 'adapters/cognito/groups.ts',
        imports: 'CognitoGroupStore',
        rule: 'an adapter class ends with the role of a port it implements (GroupGateway)',
      },
      {
        file: 'adapters/dynamo/tombstones.ts',
        imports: 'DynamoAccountTombstones',
        rule: 'an adapter class ends with its role (Store, Ledger, Log, Gateway, Source, Directory, Verifier, Metrics, Cleanup)',
      },
      {
        file: 'adapters/stripe/listing.ts',
        imports: 'CustomerListingSource',
        rule: 'an adapter class starts with its technology (Dynamo, Cognito, Stripe, Powertools, Aws, Lazy)',
      },
    ]);
  });

  it('accepts an adapter named after the port it implements, and one serving another adapter with a role suffix', () => {
    const root = tree({
      'adapters/dynamo/entitlement-store.ts':
        'export class DynamoEntitlementStore implements EntitlementStore, EntitlementCleanup {}\n',
      'adapters/stripe/signature.ts': 'export class StripeSignatureVerifier implements EventVerifier {}\n',
      'adapters/cognito/members.ts': 'export class CognitoGroupMemberSource {}\nexport function helper() {}\n',
    });
    expect(checkAdapterNames(root)).toEqual([]);
  });
});

describe('npm run lint: port names (<Thing><Role>)', () => {
  it('holds for this repository', () => {
    expect(checkPortNames(REPO_LAMBDAS)).toEqual([]);
  });

  it('flags an interface with methods and a picked port without a role suffix, not the data shapes', () => {
    // Prepare
    const root = tree({
      'ports/billing-ports.ts': [
        'export interface TrialMarks {',
        '  isTrialUsed(email: string): Promise<boolean>;',
        '}',
        'export interface CheckoutInput {',
        '  customerId: string;',
        '}',
        'export interface TrialMarkStore {',
        '  markTrialUsed(email: string, now: Date): Promise<void>;',
        '}',
        '',
      ].join('\n'),
      'ports/account-ports.ts': [
        "export type Tombstones = Pick<AccountTombstoneStore, 'isTrialUsed'>;",
        "export type AccountTombstoneReader = Pick<AccountTombstoneStore, 'isTrialUsed'>;",
        '',
      ].join('\n'),
    });

    // Act
    const violations = checkPortNames(root);

    // Assess
    const rule =
      'a port ends with its role (Store, Ledger, Log, Gateway, Source, Directory, Verifier, Metrics, Cleanup, Reader)';
    expect(violations).toEqual([
      { file: 'ports/account-ports.ts', imports: 'Tombstones', rule },
      { file: 'ports/billing-ports.ts', imports: 'TrialMarks', rule },
    ]);
  });
});

describe('README\'s "Where things live" table', () => {
  it('names every folder of lambdas/, and each is a layer the lint knows', () => {
    // Prepare
    const readme = readFileSync(join(REPO_LAMBDAS, '..', 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| `lambdas\/([a-z-]+)\//gm)].map((m) => m[1]).sort();
    const folders = readdirSync(REPO_LAMBDAS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();

    // Assess
    expect(listed).toEqual(folders);
    expect(folders).toEqual(Object.keys(ALLOWED).sort());
  });
});
