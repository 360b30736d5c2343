import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../../scripts/reconcile';
import { confirmedUser, stores, useReconcileWorld } from './support';

const world = useReconcileWorld();

/** Writes the stack file `npm start` would write for this test's emulators. */
async function localStackDir(): Promise<string> {
  const w = world();
  const dir = await mkdtemp(join(tmpdir(), 'reconcile-cli-'));
  const info = {
    apiUrl: 'http://127.0.0.1:1/',
    region: w.env.AWS_REGION,
    userPoolId: w.backend.userPool.userPoolId,
    userPoolClientId: w.backend.userPool.userPoolClientId,
    cognitoEndpoint: w.backend.cognito.endpoint,
    dynamodbEndpoint: w.backend.dynamodb.endpoint,
    stripeApiBase: w.stripe.apiBase,
    stripeSecretKey: w.stripe.secretKey,
    webhookSecret: w.stripe.webhookSecret,
    tables: w.backend.tables,
  };
  await writeFile(join(dir, 'stack.json'), JSON.stringify(info));
  return dir;
}

describe('npm run reconcile against the local stack', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('dry-runs as JSON with call counts, then applies and ends with a summary table', async () => {
    // Prepare
    const w = world();
    const user = await confirmedUser(w, 'cli');
    const dir = await localStackDir();
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    const dryCode = await main(['--stage', 'local', '--dry-run', '--json'], { LOCAL_DIR: dir });
    const dry = JSON.parse(out.join(''));
    out.length = 0;
    const applyCode = await main(['--stage', 'local', '--user', user.sub], { LOCAL_DIR: dir });
    const table = out.join('');
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(dryCode).toBe(0);
    expect(dry.mode).toBe('dry-run');
    expect(dry.counts['missing-profile']).toBe(1);
    expect(dry.calls.stripe).toBeGreaterThanOrEqual(1);
    expect(dry.calls.cognito).toBeGreaterThanOrEqual(1);
    expect(dry.calls.dynamodb).toBeGreaterThanOrEqual(3);
    expect(applyCode).toBe(0);
    expect(table).toMatch(/missing-profile\s+1\s+applied/);
    expect(table).toContain('repairs:');
    expect(await stores(w).profiles.get(user.sub)).toBeDefined();
  });

  it('refuses bad arguments before touching anything', async () => {
    // Act + Assess
    await expect(main(['--stage', 'Local!'], {})).rejects.toThrow(/--stage/);
    await expect(main(['--stage', 'local', '--frobnicate'], {})).rejects.toThrow(/unknown argument/);
    // A deployed stage whose stack outputs lack the pool id (resolver stubbed: no AWS here).
    await expect(main(['--stage', 'prod', '--dry-run'], {}, async (_stage, env) => env)).rejects.toThrow(
      /USER_POOL_ID/,
    );
  });
});
