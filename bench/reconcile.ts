import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoEntitlementStore } from '../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../lambdas/adapters/dynamo/profile-store';
import { initialEntitlementRecord } from '../lambdas/domain/entitlement';
import { PlanCatalog } from '../lambdas/domain/plan-catalog';
import { CONTRACTS } from '../lambdas/platform/contracts';
import { createRuntime } from '../lambdas/platform/runtime';
import { systemClock } from '../lambdas/ports/app-ports';
import { reconcile } from '../lambdas/use-cases/reconcile/reconcile';
import { reconcileDepsFromRuntime } from '../lambdas/wiring/reconcile';
import { startEmulatorBackend } from '../local/backend';
import { type StripeEmulator, startStripeEmulator } from '../local/stripe/emulator';
import { CallCounter } from './call-counter';
import { acrossRuns } from './stats';
import { inPool } from './workload';

export interface ReconcileRun {
  mode: 'dry-run' | 'apply';
  wallMs: number;
  usersPerSecond: number;
  usersChecked: number;
  findings: number;
  repairs: { applied: number; failed: number };
  /** Counted requests per 1,000 users, by service. */
  per1000: { dynamodb: number; cognito: number; stripe: number; stripeList: number };
  calls: { dynamodb: Record<string, number>; cognito: Record<string, number>; stripe: Record<string, number> };
}

export interface ReconcileSize {
  users: number;
  seed: { ms: number; how: string };
  dryRun: { wallMs: { median: number; min: number; max: number }; usersPerSecond: number; runs: ReconcileRun[] };
  apply: ReconcileRun;
  /** Stripe list calls allowed by the target: users/100 + 10. */
  stripeListBudget: number;
}

export interface ReconcileFigures {
  sizes: ReconcileSize[];
  /** Dry-run wall time of the largest size over the smallest, divided by the user ratio (1 = linear). */
  scaling?: { timeRatio: number; userRatio: number; normalised: number };
}

const catalog = PlanCatalog.defaults();

/**
 * Seeds `users` consistent users (Cognito user CONFIRMED in `free`, profile linked to a Stripe customer carrying
 * the sub, free Entitlements record with its groups applied), `drift` of them missing their Cognito group, then
 * times reconcile dry-run and apply with every request counted.
 *
 * Seeding: cognito-local rewrites its whole JSON file on every write (AdminCreateUser of 10k users is
 * quadratic), so the users are written into its data file while it is stopped; DynamoDB goes through the adapters;
 * Stripe customers are created on the emulator's engine directly (no HTTP).
 */
export async function runReconcileSize(options: {
  users: number;
  dryRuns: number;
  drift?: number;
  log?: (line: string) => void;
}): Promise<ReconcileSize> {
  const log = options.log ?? (() => undefined);
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-reconcile-'));
  const stripe = await startStripeEmulator({ catalog });
  const seedStarted = performance.now();
  const drift = options.drift ?? Math.max(1, Math.round(options.users / 100));
  try {
    const users = Array.from({ length: options.users }, (_, i) => ({
      sub: randomUUID(),
      email: `rc-${i}@example.com`,
      customerId: '',
    }));
    let backend = await startEmulatorBackend({ stateDir, triggers: false });
    const now = new Date();
    const profiles = new DynamoProfileStore(backend.ddb, backend.tables.userProfiles);
    const entitlements = new DynamoEntitlementStore(backend.ddb, backend.tables.entitlements);
    // The first user goes through the adapters; the others are clones of its two items (BatchWrite, 25 a call).
    const write = async (user: (typeof users)[number]) => {
      user.customerId = createCustomer(stripe, user.sub, user.email);
      await profiles.upsert(
        {
          userId: user.sub,
          cognitoUsername: user.sub,
          email: user.email,
          emailVerified: true,
          stripeCustomerId: user.customerId,
          identityProvider: 'cognito',
        },
        now,
      );
      const record = initialEntitlementRecord(
        catalog,
        { sub: user.sub, cognitoUsername: user.sub, email: user.email, stripeCustomerId: user.customerId },
        now,
      );
      await entitlements.createIfAbsent({ ...record, cognitoGroups: record.groups });
    };
    const [first, ...rest] = users;
    if (first) await write(first);
    const { tables, ddb } = backend;
    const profileItem = (
      await ddb.send(new GetCommand({ TableName: tables.userProfiles, Key: { userId: first?.sub } }))
    ).Item;
    const recordItem = (
      await ddb.send(new GetCommand({ TableName: tables.entitlements, Key: { cognito_sub: first?.sub } }))
    ).Item;
    if (!profileItem || !recordItem) throw new Error('seed template items missing');
    for (const user of rest) user.customerId = createCustomer(stripe, user.sub, user.email);
    const chunks: (typeof users)[] = [];
    for (let i = 0; i < rest.length; i += 12) chunks.push(rest.slice(i, i + 12));
    await inPool(chunks.length, 4, async (c) => {
      const chunk = chunks[c] ?? [];
      const same = { cognitoUsername: '', email: '', stripeCustomerId: '' };
      await ddb.send(
        new BatchWriteCommand({
          RequestItems: {
            [tables.userProfiles]: chunk.map((u) => ({
              PutRequest: {
                Item: {
                  ...profileItem,
                  ...same,
                  userId: u.sub,
                  cognitoUsername: u.sub,
                  email: u.email,
                  stripeCustomerId: u.customerId,
                },
              },
            })),
            [tables.entitlements]: chunk.map((u) => ({
              PutRequest: {
                Item: {
                  ...recordItem,
                  ...same,
                  cognito_sub: u.sub,
                  cognitoUsername: u.sub,
                  email: u.email,
                  stripeCustomerId: u.customerId,
                },
              },
            })),
          },
        }),
      );
    });
    const poolId = backend.userPool.userPoolId;
    await backend.stop();
    await writeCognitoUsers(join(stateDir, 'cognito'), poolId, users, drift, now);
    backend = await startEmulatorBackend({ stateDir, triggers: false });
    const seedMs = performance.now() - seedStarted;
    log(`reconcile ${options.users}: seeded in ${Math.round(seedMs)} ms`);

    try {
      const counter = new CallCounter();
      const runtime = createRuntime(
        CONTRACTS.reconcileScheduled,
        { ...backend.env, STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_BASE: stripe.apiBase },
        {
          onClient(created) {
            if (created.kind === 'dynamodb') counter.watchDynamo(created.client);
            else if (created.kind === 'cognito') counter.watchCognito(created.client);
            else counter.watchStripe(created.client);
          },
        },
      );
      const deps = await reconcileDepsFromRuntime(runtime, { clock: systemClock });
      const run = async (apply: boolean): Promise<ReconcileRun> => {
        counter.reset();
        const started = performance.now();
        const report = await reconcile(deps, { apply, trigger: 'cli' });
        const wallMs = performance.now() - started;
        const per1000 = (n: number) => (n / Math.max(1, report.usersChecked)) * 1000;
        return {
          mode: apply ? 'apply' : 'dry-run',
          wallMs,
          usersPerSecond: report.usersChecked / (wallMs / 1000),
          usersChecked: report.usersChecked,
          findings: report.findings.length,
          repairs: { applied: report.repairs.applied, failed: report.repairs.failed },
          per1000: {
            dynamodb: per1000(CallCounter.total(counter.dynamodb)),
            cognito: per1000(CallCounter.total(counter.cognito)),
            stripe: per1000(CallCounter.total(counter.stripe)),
            stripeList: per1000(
              CallCounter.total(counter.stripe, (key) => /^GET \/v1\/(customers|subscriptions)$/.test(key)),
            ),
          },
          calls: {
            dynamodb: Object.fromEntries(counter.dynamodb),
            cognito: Object.fromEntries(counter.cognito),
            stripe: Object.fromEntries(counter.stripe),
          },
        };
      };
      const dryRuns: ReconcileRun[] = [];
      for (let i = 0; i < options.dryRuns; i += 1) {
        dryRuns.push(await run(false));
        log(`reconcile ${options.users} dry-run: ${Math.round(dryRuns.at(-1)?.wallMs ?? 0)} ms`);
      }
      const apply = await run(true);
      log(`reconcile ${options.users} apply: ${Math.round(apply.wallMs)} ms, ${apply.repairs.applied} repairs`);
      const wall = acrossRuns(dryRuns.map((r) => r.wallMs));
      return {
        users: options.users,
        seed: { ms: seedMs, how: 'cognito-local data file + DynamoDB adapters + Stripe emulator engine' },
        dryRun: { wallMs: wall, usersPerSecond: options.users / (wall.median / 1000), runs: dryRuns },
        apply,
        stripeListBudget: options.users / 100 + 10,
      };
    } finally {
      await backend.stop();
    }
  } finally {
    await stripe.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

function createCustomer(stripe: StripeEmulator, sub: string, email: string): string {
  return stripe.engine.createCustomer({ email, metadata: { cognito_sub: sub } }).id;
}

/** Adds CONFIRMED users to cognito-local's pool file (username = sub, like email sign-in) and to `free`. */
async function writeCognitoUsers(
  dir: string,
  poolId: string,
  users: readonly { sub: string; email: string }[],
  drift: number,
  now: Date,
): Promise<void> {
  const file = (await readdir(dir)).find((name) => name === `${poolId}.json`);
  if (!file) throw new Error(`cognito-local data file for ${poolId} not found in ${dir}`);
  const path = join(dir, file);
  const data = JSON.parse(await readFile(path, 'utf8')) as {
    Users: Record<string, unknown>;
    Groups: Record<string, { members?: string[] }>;
  };
  const iso = now.toISOString();
  const members = new Set(data.Groups.free?.members ?? []);
  users.forEach((user, i) => {
    data.Users[user.sub] = {
      Username: user.sub,
      Password: 'Correct-horse-battery-9',
      Attributes: [
        { Name: 'email', Value: user.email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'sub', Value: user.sub },
      ],
      Enabled: true,
      UserStatus: 'CONFIRMED',
      UserCreateDate: iso,
      UserLastModifiedDate: iso,
      RefreshTokens: [],
    };
    // The first `drift` users lost their group: the drift apply mode repairs.
    if (i >= drift) members.add(user.sub);
  });
  data.Groups.free = { ...(data.Groups.free ?? {}), members: [...members] };
  await writeFile(path, JSON.stringify(data));
}

export async function runReconcileBench(options: {
  sizes: number[];
  dryRuns: number;
  log?: (line: string) => void;
}): Promise<ReconcileFigures> {
  const sizes: ReconcileSize[] = [];
  for (const users of options.sizes)
    sizes.push(await runReconcileSize({ users, dryRuns: options.dryRuns, log: options.log }));
  const small = sizes[0];
  const large = sizes.at(-1);
  if (!small || !large || small === large) return { sizes };
  const timeRatio = large.dryRun.wallMs.median / small.dryRun.wallMs.median;
  const userRatio = large.users / small.users;
  return { sizes, scaling: { timeRatio, userRatio, normalised: timeRatio / userRatio } };
}
