import './env';
import '../local/quiet-sdk-notices';
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BundleFigure, measureBundles } from './bundles';
import { type CostBreakdown, costPerMillionEvents, PRICES_US_EAST_1 } from './cost';
import { type PostConfirmationFigures, runPostConfirmationBench } from './post-confirmation';
import { type ReconcileFigures, runReconcileBench } from './reconcile';
import { round } from './stats';
import { runWebhookBench, type WebhookFigures } from './webhook';

export const SECTIONS = ['bundles', 'webhook', 'reconcile', 'post-confirmation', 'cost'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  quick: boolean;
  only?: Section;
  log?: (line: string) => void;
}

export interface BenchResults {
  machine: { cores: number; cpuModel: string; node: string; platform: string; date: string };
  options: { quick: boolean; only?: Section };
  bundles?: BundleFigure[];
  webhook?: WebhookFigures;
  reconcile?: ReconcileFigures;
  postConfirmation?: PostConfirmationFigures;
  cost?: {
    inputs: Parameters<typeof costPerMillionEvents>[0];
    prices: typeof PRICES_US_EAST_1;
    perMillion: CostBreakdown;
  };
}

export const WEBHOOK_MEMORY_MB = 512;

/** Sizes: the figures, or tiny ones for `--quick` and the smoke test. */
export function sizes(quick: boolean) {
  return quick
    ? { initRuns: 3, customers: 6, days: 60, repetitions: 1, reconcile: [30, 60], dryRuns: 1, postConfirmation: 4 }
    : {
        initRuns: 20,
        customers: 200,
        days: 120,
        repetitions: 3,
        reconcile: [1000, 10000],
        dryRuns: 3,
        postConfirmation: 60,
      };
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const log = options.log ?? (() => undefined);
  const size = sizes(options.quick);
  const wants = (section: Section) => !options.only || options.only === section;
  const results: BenchResults = {
    machine: {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      date: new Date().toISOString(),
    },
    options: { quick: options.quick, ...(options.only ? { only: options.only } : {}) },
  };
  if (wants('bundles')) {
    log('bundles: esbuild + init time');
    results.bundles = await measureBundles({
      runs: size.initRuns,
      outDir: join(tmpdir(), `bench-bundles-${process.pid}`),
    });
  }
  if (wants('webhook') || wants('cost')) {
    results.webhook = await runWebhookBench({
      customers: size.customers,
      repetitions: size.repetitions,
      days: size.days,
      renewalDays: options.quick ? 31 : 62,
      log,
    });
  }
  if (wants('reconcile')) {
    results.reconcile = await runReconcileBench({ sizes: size.reconcile, dryRuns: size.dryRuns, log });
  }
  if (wants('post-confirmation')) {
    log('post-confirmation');
    results.postConfirmation = await runPostConfirmationBench({ users: size.postConfirmation });
  }
  const ours = results.webhook?.summary['ours/mix'];
  if (wants('cost') && ours) {
    const inputs = {
      durationMs: ours.p50.median,
      memoryMb: WEBHOOK_MEMORY_MB,
      readsPerEvent: ours.perEvent.dynamodbReads,
      writesPerEvent: ours.perEvent.dynamodbWrites,
    };
    results.cost = { inputs, prices: PRICES_US_EAST_1, perMillion: costPerMillionEvents(inputs) };
  }
  return results;
}

const f = (n: number | undefined, digits = 1) =>
  n === undefined || Number.isNaN(n) ? 'n/a' : String(round(n, digits));
const mm = (x: { median: number; min: number; max: number }, digits = 1) =>
  `${f(x.median, digits)} (${f(x.min, digits)}–${f(x.max, digits)})`;

/** The results as markdown: one table per section, every figure "median (min–max)". */
export function markdown(results: BenchResults): string {
  const { machine } = results;
  const out: string[] = [
    `Machine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}, ${machine.date}${results.options.quick ? ' (--quick)' : ''}`,
    '',
  ];
  if (results.bundles) {
    out.push('| Lambda | bundle KB | init ms median (min–max) | init p99 |', '|---|---:|---:|---:|');
    for (const b of results.bundles) {
      out.push(`| ${b.lambda} | ${f(b.bytes / 1024)} | ${mm(b.initMs)} | ${f(b.initMs.p99)} |`);
    }
    out.push('');
  }
  const w = results.webhook;
  if (w) {
    out.push(
      `Webhook: ${w.customers} customers, ${w.events.mix} events -> ${w.events.mixDeliveries} deliveries (${w.events.duplicates} duplicates, ${w.events.swapped} swapped); renewals-only: ${w.events.renewals} events. Median of ${w.runs.length / 4} repetitions (min–max). floor = one consistent GetItem + one conditional UpdateItem per delivery, same deliveries, same dynalite (bench/floor.ts).`,
      '',
      '| mode / workload | events/s | p50 ms | p99 ms | DynamoDB req/event (R+W) | Stripe calls/event | Cognito calls/event |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const [key, s] of Object.entries(w.summary)) {
      out.push(
        `| ${key} | ${mm(s.eventsPerSecond, 0)} | ${mm(s.p50)} | ${mm(s.p99)} | ${f(s.perEvent.dynamodb, 2)} (${f(s.perEvent.dynamodbReads, 2)}+${f(s.perEvent.dynamodbWrites, 2)}) | ${f(s.perEvent.stripe, 3)} | ${f(s.perEvent.cognito, 3)} |`,
      );
    }
    out.push(
      '',
      `Ours/baseline (mix): Stripe calls ${f(w.ratios.stripeCalls, 3)}, p50 ${f(w.ratios.p50, 2)}, p99 ${f(w.ratios.p99, 2)}, events/s ${f(w.ratios.eventsPerSecond, 2)}. Same final entitlement in both modes: ${w.agreement.same}/${w.agreement.users} users. Shipped re-read adapter works: ${w.shippedRereadWorks}.`,
      `Ours/floor: renewals events/s ${f(w.floorRatios.renewals.eventsPerSecond, 2)} (target >= 0.7), p50 ${f(w.floorRatios.renewals.p50, 2)} (target <= 1.5), p99 ${f(w.floorRatios.renewals.p99, 2)}; mix events/s ${f(w.floorRatios.mix.eventsPerSecond, 2)}, p50 ${f(w.floorRatios.mix.p50, 2)}, p99 ${f(w.floorRatios.mix.p99, 2)}.`,
      '',
    );
  }
  const r = results.reconcile;
  if (r) {
    out.push(
      '| reconcile users | seed s | dry-run s median (min–max) | users/s | apply s (repairs) | DynamoDB/1k | Cognito/1k | Stripe/1k | Stripe list calls (budget) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of r.sizes) {
      const d = s.dryRun.runs[0];
      out.push(
        `| ${s.users} | ${f(s.seed.ms / 1000)} | ${mm({ median: s.dryRun.wallMs.median / 1000, min: s.dryRun.wallMs.min / 1000, max: s.dryRun.wallMs.max / 1000 }, 2)} | ${f(s.dryRun.usersPerSecond, 0)} | ${f(s.apply.wallMs / 1000, 2)} (${s.apply.repairs.applied}) | ${f(d?.per1000.dynamodb)} | ${f(d?.per1000.cognito)} | ${f(d?.per1000.stripe)} | ${f(((d?.per1000.stripeList ?? 0) * s.users) / 1000, 0)} (${f(s.stripeListBudget, 0)}) |`,
      );
    }
    if (r.scaling) {
      out.push(
        '',
        `Scaling: ${f(r.scaling.userRatio, 0)}x users took ${f(r.scaling.timeRatio, 2)}x the dry-run time (${f(r.scaling.normalised, 2)} of linear).`,
      );
    }
    out.push('');
  }
  const p = results.postConfirmation;
  if (p) {
    out.push(
      `Post-Confirmation (${p.users} users, handler against dynalite + cognito-local + Stripe emulator): p50 ${f(p.latencyMs.p50)} ms, p99 ${f(p.latencyMs.p99)} ms, max ${f(p.latencyMs.max)} ms, first (cold clients) ${f(p.firstMs)} ms.`,
      '',
    );
  }
  const c = results.cost;
  if (c) {
    out.push(
      `Cost per million webhook events (${c.prices.asOf}; ${f(c.inputs.durationMs)} ms at ${c.inputs.memoryMb} MB, ${f(c.inputs.readsPerEvent, 2)} reads + ${f(c.inputs.writesPerEvent, 2)} writes per event): ` +
        `HTTP API $${f(c.perMillion.httpApi, 2)}, Lambda requests $${f(c.perMillion.lambdaRequests, 2)}, Lambda compute $${f(c.perMillion.lambdaCompute, 2)}, DynamoDB reads $${f(c.perMillion.dynamoReads, 2)}, writes $${f(c.perMillion.dynamoWrites, 2)}: **$${f(c.perMillion.total, 2)}**.`,
      '',
    );
  }
  return out.join('\n');
}

function parseArgs(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--only');
  const only = at >= 0 ? argv[at + 1] : undefined;
  if (only !== undefined && !(SECTIONS as readonly string[]).includes(only)) {
    throw new Error(`--only expects one of ${SECTIONS.join(', ')}; got ${only}`);
  }
  return { quick, ...(only ? { only: only as Section } : {}) };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const results = await runBench({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
  const file = join(__dirname, 'results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `${markdown(results)}\nTotal ${Math.round((performance.now() - started) / 1000)} s; wrote ${file}\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
