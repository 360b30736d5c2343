/**
 * `npm run reconcile -- --stage <stage> [--dry-run] [--user <sub>] [--json]`
 *
 * Runs the same reconcile use case as the scheduled Lambda and the admin routes.
 * - `--stage local`: the stack `npm start` runs, read from `$LOCAL_DIR/stack.json` (default `.local`).
 * - any other stage: AWS with the default credential chain; table names, pool id and the Stripe secret ARN come from
 *   the stage's stack outputs (scripts/stage-outputs.ts); variables set in the environment override them, with the
 *   same names as the Lambda's
 *   (USER_POOL_ID, USER_PROFILES_TABLE, ENTITLEMENTS_TABLE, PARKED_EVENTS_TABLE, AUDIT_TABLE, RECONCILE_STATE_TABLE,
 *   STRIPE_SECRET_ARN, AWS_REGION): the `<stage>-Data` / `<stage>-Auth` stack outputs list them.
 * Progress goes to stderr; the summary table (or `--json`) to stdout. Exit code 1 when a repair failed, 2 when
 * another run holds the lease, 64 for bad arguments.
 */

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DRIFT_KINDS, REPORT_ONLY_KINDS } from '../lambdas/domain/drift';
import { describeIssues } from '../lambdas/domain/validation-issues';
import { CONTRACTS } from '../lambdas/platform/contracts';
import { createRuntime } from '../lambdas/platform/runtime';
import { systemClock } from '../lambdas/ports/app-ports';
import { type ReconcileReport, reconcile } from '../lambdas/use-cases/reconcile/reconcile';
import { reconcileDepsFromRuntime } from '../lambdas/wiring/reconcile';
import { TABLES, type TableKey } from '../lib/table-definitions';
import { stageEnvironment } from './stage-outputs';

export class UsageError extends Error {
  override name = 'UsageError';
}

const USAGE = 'usage: npm run reconcile -- --stage <stage> [--dry-run] [--user <sub>] [--json]';

const argsSchema = z
  .object({
    stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be a stage name such as local, dev or prod'),
    dryRun: z.boolean(),
    json: z.boolean(),
    user: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be a Cognito sub')
      .optional(),
  })
  .strict();
export type CliArgs = z.infer<typeof argsSchema>;

export function parseArgs(argv: readonly string[]): CliArgs {
  const raw: Record<string, unknown> = { dryRun: false, json: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--dry-run') raw.dryRun = true;
    else if (arg === '--json') raw.json = true;
    else if (arg === '--stage' || arg === '--user') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value\n${USAGE}`);
      raw[arg.slice(2)] = value;
      i += 1;
    } else throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`${describeIssues(parsed.error, { prefix: '--', root: 'arguments' })}\n${USAGE}`);
  }
  return parsed.data;
}

const stackInfoSchema = z.looseObject({
  region: z.string(),
  userPoolId: z.string(),
  cognitoEndpoint: z.url(),
  dynamodbEndpoint: z.url(),
  stripeApiBase: z.url(),
  stripeSecretKey: z.string(),
  tables: z.record(z.string(), z.string()),
});

/** The Lambda environment for the stage: from the local stack file, or from this process's environment. */
export function environmentFor(stage: string, env: NodeJS.ProcessEnv, readFile = readFileSync): NodeJS.ProcessEnv {
  if (stage === 'local') {
    const file = join(resolve(env.LOCAL_DIR ?? '.local'), 'stack.json');
    let text: string;
    try {
      text = readFile(file, 'utf8');
    } catch {
      throw new UsageError(`${file} not found: start the local stack first (npm start)`);
    }
    const info = stackInfoSchema.parse(JSON.parse(text));
    const tables = Object.fromEntries(
      (Object.keys(TABLES) as TableKey[]).map((key) => [TABLES[key].envVar, info.tables[key] ?? '']),
    );
    return {
      STAGE: 'local',
      AWS_REGION: info.region,
      DYNAMODB_ENDPOINT: info.dynamodbEndpoint,
      COGNITO_ENDPOINT: info.cognitoEndpoint,
      USER_POOL_ID: info.userPoolId,
      STRIPE_SECRET_KEY: info.stripeSecretKey,
      STRIPE_API_BASE: info.stripeApiBase,
      ...(env.PLAN_CATALOG ? { PLAN_CATALOG: env.PLAN_CATALOG } : {}),
      ...tables,
    };
  }
  const required = ['USER_POOL_ID', 'STRIPE_SECRET_ARN', ...Object.values(TABLES).map((table) => table.envVar)];
  const missing = required.filter(
    (name) => !env[name]?.trim() && !(name === 'STRIPE_SECRET_ARN' && env.STRIPE_SECRET_KEY),
  );
  // WEBHOOK_EVENTS_TABLE is part of the shared contract but unused here: a placeholder is fine.
  const stillMissing = missing.filter((name) => name !== 'WEBHOOK_EVENTS_TABLE');
  if (stillMissing.length > 0) {
    throw new UsageError(
      `stage ${stage}: set ${stillMissing.join(', ')} (outputs of the ${stage}-Data and ${stage}-Auth stacks, e.g. ` +
        `aws cloudformation describe-stacks --stack-name ${stage}-Data --query 'Stacks[0].Outputs')`,
    );
  }
  return { WEBHOOK_EVENTS_TABLE: 'unused-by-reconcile', ...env, STAGE: stage };
}

/** Calls made per service, counted at the clients (every SDK command, every Stripe HTTP request). */
export interface CallCounts {
  stripe: number;
  cognito: number;
  dynamodb: number;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function formatReport(report: ReconcileReport, calls?: CallCounts): string {
  const lines: string[] = [];
  lines.push(
    `reconcile ${report.mode} (${report.scope}) run ${report.runId}: ${report.status}` +
      `${report.resumedAfter ? `, resumed after ${report.resumedAfter}` : ''}`,
  );
  lines.push(`users checked: ${report.usersChecked} of ${report.usersTotal}`);
  if (report.findings.length > 0) {
    lines.push('', `${pad('user', 38)} ${pad('drift', 28)} detail`);
    for (const finding of report.findings) {
      lines.push(`${pad(finding.sub, 38)} ${pad(finding.kind, 28)} ${finding.detail}`);
    }
  }
  lines.push('', `${pad('drift kind', 28)} ${pad('count', 7)} repair`);
  for (const kind of DRIFT_KINDS) {
    const repair = REPORT_ONLY_KINDS.has(kind) ? 'report only' : report.mode === 'apply' ? 'applied' : 'would apply';
    lines.push(`${pad(kind, 28)} ${pad(String(report.counts[kind]), 7)} ${repair}`);
  }
  if (report.mode === 'apply') {
    lines.push(
      '',
      `repairs: ${report.repairs.applied} applied, ${report.repairs.skipped} skipped, ${report.repairs.failed} failed`,
    );
    for (const failure of report.repairs.failures)
      lines.push(`  FAILED ${failure.sub} ${failure.action}: ${failure.error}`);
  }
  if (report.status === 'partial') lines.push(`stopped early after ${report.nextAfter}: run again to continue`);
  if (report.status === 'locked') lines.push('another apply run holds the lease: nothing was done');
  if (calls) lines.push('', `API calls: Stripe ${calls.stripe}, Cognito ${calls.cognito}, DynamoDB ${calls.dynamodb}`);
  return lines.join('\n');
}

type CountableClient = {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
};

function countCommands(client: unknown, count: () => void) {
  (client as CountableClient).middlewareStack.add(
    (next) => async (args) => {
      count();
      return next(args);
    },
    { step: 'initialize', name: 'reconcileCallCounter' },
  );
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  resolveStage: (stage: string, env: NodeJS.ProcessEnv) => Promise<NodeJS.ProcessEnv> = stageEnvironment,
): Promise<number> {
  const args = parseArgs(argv);
  const stageEnv = args.stage === 'local' ? env : await resolveStage(args.stage, env);
  const runtime = createRuntime(CONTRACTS.reconcileScheduled, environmentFor(args.stage, stageEnv));
  const calls: CallCounts = { stripe: 0, cognito: 0, dynamodb: 0 };
  countCommands(runtime.ddb, () => {
    calls.dynamodb += 1;
  });
  countCommands(runtime.cognito, () => {
    calls.cognito += 1;
  });
  const deps = await reconcileDepsFromRuntime(runtime, { clock: systemClock });
  // Same options as the wiring: the runtime hands back the very client reconcile uses.
  (await runtime.stripe({ timeoutMs: 20_000, maxNetworkRetries: 2 })).on('request', () => {
    calls.stripe += 1;
  });
  const interactive = process.stderr.isTTY === true;
  const report = await reconcile(deps, {
    apply: !args.dryRun,
    trigger: 'cli',
    ...(args.user ? { user: args.user } : {}),
    onProgress: ({ checked, total }) => {
      process.stderr.write(`${interactive ? '\r' : ''}checked ${checked}/${total} users${interactive ? '' : '\n'}`);
    },
  });
  if (interactive) process.stderr.write('\n');
  process.stdout.write(`${args.json ? JSON.stringify({ ...report, calls }, null, 2) : formatReport(report, calls)}\n`);
  if (report.status === 'locked') return 2;
  return report.repairs.failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = error instanceof UsageError ? 64 : 1;
    },
  );
}
