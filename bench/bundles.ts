import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { BUNDLE_MAIN_FIELDS, RUNTIME_PROVIDED_MODULES } from '../lib/lambda-bundling';
import { percentile, round, type Summary } from './stats';

const ROOT = join(__dirname, '..');

/** The Node major of the Lambda runtime (lib/constructs/app-function.ts: NODEJS_22_X, esbuild target node22). */
export const LAMBDA_NODE_MAJOR = 22;

/**
 * How the AWS SDK v3 reaches the function:
 * - `bundled`: what ships (lib/constructs/app-function.ts `bundleAwsSDK: true`, externals from lib/lambda-bundling.ts):
 *   the SDK pinned by package-lock is inside the bundle.
 * - `runtime-sdk`: the previous packaging: `@aws-sdk/*` and `@smithy/*` external, loaded at init from the Lambda
 *   runtime's copy. Here the repository's `node_modules` (through `NODE_PATH`, as the runtime's NODE_PATH does)
 *   stands in for that copy, so its load time is counted.
 */
export type SdkPackaging = 'bundled' | 'runtime-sdk';
export const PACKAGINGS: readonly SdkPackaging[] = ['bundled', 'runtime-sdk'];

/** The externals of the `runtime-sdk` packaging (the list lib/lambda-bundling.ts had before the SDK was bundled). */
export const RUNTIME_SDK_MODULES: readonly string[] = ['@aws-sdk/*', '@smithy/*'];

export function externalsFor(packaging: SdkPackaging): string[] {
  const modules =
    packaging === 'bundled' ? RUNTIME_PROVIDED_MODULES : [...RUNTIME_PROVIDED_MODULES, ...RUNTIME_SDK_MODULES];
  return [...new Set(modules)];
}

/** A Summary with p90 (the cold start that one in ten users sees). */
export interface InitSummary extends Summary {
  p90: number;
}

export interface PackagingFigure {
  bytes: number;
  initMs: InitSummary;
}

export interface BundleFigure {
  lambda: string;
  /** The shipped packaging (SDK bundled): the same figures as `packagings.bundled`. */
  bytes: number;
  initMs: InitSummary;
  packagings: Record<SdkPackaging, PackagingFigure>;
  /** bundled minus runtime-sdk: what bundling the SDK costs (positive = bundled is bigger / slower). */
  difference: { bytes: number; initMedianMs: number; initP90Ms: number };
  /** 1-minute load average right after this Lambda's runs (this bench itself adds about 1 on these cores). */
  loadavg1m: number;
}

/** Every Lambda entry: one module per file in lambdas/handlers. */
export function handlerEntries(): string[] {
  const dir = join(ROOT, 'lambdas', 'handlers');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => join(dir, file));
}

const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: 'cjs',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: 'silent',
  mainFields: [...BUNDLE_MAIN_FIELDS],
} satisfies BuildOptions;

/**
 * Bundles one entry the way lib/constructs/app-function.ts ships it (minified, CJS, node22, source maps), with the
 * SDK as `packaging` says (default: bundled, as shipped). Writes `<name>.meta.json` (esbuild metafile) next to it.
 */
export async function bundle(entry: string, outDir: string, packaging: SdkPackaging = 'bundled'): Promise<string> {
  const suffix = packaging === 'bundled' ? '' : `.${packaging}`;
  const outfile = join(outDir, `${basename(entry, '.ts')}${suffix}.js`);
  const result = await build({ ...ESBUILD_OPTIONS, entryPoints: [entry], outfile, external: externalsFor(packaging) });
  writeFileSync(outfile.replace(/\.js$/, '.meta.json'), JSON.stringify(result.metafile));
  return outfile;
}

/** Bundles a tiny module that requires `modules` (per-library init analysis). */
export async function bundleModules(
  name: string,
  modules: readonly string[],
  outDir: string,
  packaging: SdkPackaging,
): Promise<string> {
  const outfile = join(outDir, `lib-${name}.${packaging}.js`);
  await build({
    ...ESBUILD_OPTIONS,
    stdin: {
      contents: `module.exports = [${modules.map((m) => `require(${JSON.stringify(m)})`).join(', ')}];`,
      resolveDir: ROOT,
      loader: 'js',
    },
    outfile,
    external: externalsFor(packaging),
  });
  return outfile;
}

/**
 * One module init: a fresh `node` process (this one's binary) timing `require(bundle)`, like a Lambda cold start's
 * init phase (without the runtime itself). `runtime-sdk` bundles resolve the SDK through `NODE_PATH` = the
 * repository's node_modules; `bundled` ones get no NODE_PATH (and are written under the OS temp dir, outside the
 * repository), so a bundle that is not self-contained fails here.
 */
export function initSample(bundlePath: string, packaging: SdkPackaging = 'bundled'): number {
  const script = `const t=performance.now();require(${JSON.stringify(bundlePath)});process.stdout.write(String(performance.now()-t))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      ...(packaging === 'runtime-sdk' ? { NODE_PATH: join(ROOT, 'node_modules') } : {}),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const ms = Number(out.toString());
  if (!Number.isFinite(ms)) throw new Error(`init of ${bundlePath} printed ${JSON.stringify(out.toString())}`);
  return ms;
}

export function summarizeInit(samples: readonly number[]): InitSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  return {
    runs: sorted.length,
    median,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p50: median,
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
  };
}

/** Module init of one bundle over `runs` fresh processes. */
export function measureInit(bundlePath: string, runs: number, packaging: SdkPackaging = 'bundled'): InitSummary {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(initSample(bundlePath, packaging));
  return summarizeInit(samples);
}

/**
 * Both packagings of the same code, measured interleaved (bundled, runtime-sdk, then runtime-sdk, bundled, ...), so
 * a change in machine load during the run hits both alike.
 */
export function measureInitPair(paths: Record<SdkPackaging, string>, runs: number): Record<SdkPackaging, InitSummary> {
  const samples: Record<SdkPackaging, number[]> = { bundled: [], 'runtime-sdk': [] };
  for (let i = 0; i < runs; i += 1) {
    const order = i % 2 === 0 ? PACKAGINGS : [...PACKAGINGS].reverse();
    for (const packaging of order) samples[packaging].push(initSample(paths[packaging], packaging));
  }
  return { bundled: summarizeInit(samples.bundled), 'runtime-sdk': summarizeInit(samples['runtime-sdk']) };
}

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  execPath: string;
  platform: string;
  date: string;
  /** 1-minute load average when the measurement started and ended: other processes share these cores. */
  loadavg1m: { start: number; end?: number };
}

export function machine(): Machine {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    execPath: process.execPath,
    platform: `${process.platform}/${process.arch}`,
    date: new Date().toISOString(),
    loadavg1m: { start: round(loadavg()[0] ?? Number.NaN, 2) },
  };
}

export const machineLine = (m: Machine) =>
  `Machine: ${m.cores} cores, ${m.cpuModel}, Node ${m.node} (${m.execPath}), ${m.platform}, ${m.date}, load average (1 min) ${m.loadavg1m.start}${m.loadavg1m.end === undefined ? '' : ` -> ${m.loadavg1m.end}`}`;

/** Fails unless this process (and so every measured child, same binary) runs the Lambda runtime's Node major. */
export function assertLambdaNodeMajor(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== LAMBDA_NODE_MAJOR) {
    throw new Error(
      `bench/bundles.ts measures init on Node ${LAMBDA_NODE_MAJOR} (the Lambda runtime's major); this is ${process.version} at ${process.execPath}. Run it through npm (npm run bench / npm exec) so node@${LAMBDA_NODE_MAJOR} from node_modules/.bin is used.`,
    );
  }
}

const kb = (bytes: number) => round(bytes / 1024, 1);
const ms = (value: number) => round(value, 1);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;

/** Both packagings per Lambda, as a markdown table. */
export function packagingMarkdown(figures: readonly BundleFigure[]): string {
  const runs = figures[0]?.initMs.runs ?? 0;
  const lines = [
    `AWS SDK packaging, init = fresh-process require(bundle), ${runs} runs per Lambda and packaging, interleaved: median / p90 ms.`,
    '',
    '| Lambda | bundled KB | runtime-SDK KB | Δ KB | bundled init median / p90 | runtime-SDK init median / p90 | Δ median | Δ p90 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const f of figures) {
    const b = f.packagings.bundled;
    const r = f.packagings['runtime-sdk'];
    lines.push(
      `| ${f.lambda} | ${kb(b.bytes)} | ${kb(r.bytes)} | ${signed(kb(f.difference.bytes))} | ${ms(b.initMs.median)} / ${ms(b.initMs.p90)} | ${ms(r.initMs.median)} / ${ms(r.initMs.p90)} | ${signed(ms(f.difference.initMedianMs))} | ${signed(ms(f.difference.initP90Ms))} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Every Lambda in both packagings: bundle size and module init (see `measureInitPair`). The top-level `bytes` and
 * `initMs` are the shipped (bundled) ones. Prints the machine and the comparison table through `log` (stderr by
 * default, so `npm run bench -- --only bundles` shows it).
 */
export async function measureBundles(options: {
  runs: number;
  outDir: string;
  log?: (line: string) => void;
}): Promise<BundleFigure[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  assertLambdaNodeMajor();
  const m = machine();
  log(machineLine(m));
  mkdirSync(options.outDir, { recursive: true });
  const figures: BundleFigure[] = [];
  for (const entry of handlerEntries()) {
    const lambda = basename(entry, '.ts');
    const paths = {
      bundled: await bundle(entry, options.outDir, 'bundled'),
      'runtime-sdk': await bundle(entry, options.outDir, 'runtime-sdk'),
    };
    const init = measureInitPair(paths, options.runs);
    const packagings = {
      bundled: { bytes: statSync(paths.bundled).size, initMs: init.bundled },
      'runtime-sdk': { bytes: statSync(paths['runtime-sdk']).size, initMs: init['runtime-sdk'] },
    };
    const load = round(loadavg()[0] ?? Number.NaN, 2);
    figures.push({
      lambda,
      bytes: packagings.bundled.bytes,
      initMs: packagings.bundled.initMs,
      packagings,
      difference: {
        bytes: packagings.bundled.bytes - packagings['runtime-sdk'].bytes,
        initMedianMs: packagings.bundled.initMs.median - packagings['runtime-sdk'].initMs.median,
        initP90Ms: packagings.bundled.initMs.p90 - packagings['runtime-sdk'].initMs.p90,
      },
      loadavg1m: load,
    });
    log(
      `  ${lambda}: bundled ${ms(init.bundled.median)} ms, runtime-sdk ${ms(init['runtime-sdk'].median)} ms (median); load average ${load}`,
    );
  }
  log(`load average (1 min) at the end: ${round(loadavg()[0] ?? Number.NaN, 2)}`);
  log(packagingMarkdown(figures));
  return figures;
}

/** The libraries the Lambdas load at init, measured alone (per-library init analysis). */
export const LIBRARIES: readonly { name: string; modules: readonly string[] }[] = [
  { name: 'dynamodb', modules: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'] },
  { name: 'cognito', modules: ['@aws-sdk/client-cognito-identity-provider'] },
  { name: 'secrets', modules: ['@aws-lambda-powertools/parameters/secrets'] },
  {
    name: 'all-sdk-clients',
    modules: [
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/lib-dynamodb',
      '@aws-sdk/client-cognito-identity-provider',
      '@aws-lambda-powertools/parameters/secrets',
    ],
  },
  { name: 'zod', modules: ['zod'] },
  // What the Lambdas use at their boundaries now (lambdas/domain/zod-mini.ts); all of it here, the Lambdas' bundles
  // keep only the parts they import.
  { name: 'zod-mini', modules: ['zod/mini', 'zod/v4/locales/en.js'] },
  { name: 'stripe', modules: ['stripe'] },
  { name: 'powertools-logger', modules: ['@aws-lambda-powertools/logger'] },
];

export interface LibraryFigure {
  library: string;
  modules: readonly string[];
  packagings: Record<SdkPackaging, PackagingFigure>;
  /** 1-minute load average right after this library's runs. */
  loadavg1m: number;
}

/**
 * Per-library init: each library alone in a tiny bundle, both packagings, interleaved fresh processes. Libraries
 * without the SDK (zod, stripe, logger) are the same bundle in both modes: their difference is the noise level.
 */
export async function measureLibraries(options: {
  runs: number;
  outDir: string;
  log?: (line: string) => void;
}): Promise<LibraryFigure[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  assertLambdaNodeMajor();
  mkdirSync(options.outDir, { recursive: true });
  const figures: LibraryFigure[] = [];
  for (const library of LIBRARIES) {
    const paths = {
      bundled: await bundleModules(library.name, library.modules, options.outDir, 'bundled'),
      'runtime-sdk': await bundleModules(library.name, library.modules, options.outDir, 'runtime-sdk'),
    };
    const init = measureInitPair(paths, options.runs);
    const load = round(loadavg()[0] ?? Number.NaN, 2);
    log(
      `  ${library.name}: bundled ${ms(init.bundled.median)} ms, runtime-sdk ${ms(init['runtime-sdk'].median)} ms (median); load average ${load}`,
    );
    figures.push({
      library: library.name,
      modules: library.modules,
      packagings: {
        bundled: { bytes: statSync(paths.bundled).size, initMs: init.bundled },
        'runtime-sdk': { bytes: statSync(paths['runtime-sdk']).size, initMs: init['runtime-sdk'] },
      },
      loadavg1m: load,
    });
  }
  const lines = [
    `Per-library init (alone, fresh process, ${options.runs} runs per packaging, interleaved): median / p90 ms.`,
    '',
    '| library | bundled KB | bundled init | runtime-SDK KB | runtime-SDK init | Δ median |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const f of figures) {
    const b = f.packagings.bundled;
    const r = f.packagings['runtime-sdk'];
    lines.push(
      `| ${f.library} | ${kb(b.bytes)} | ${ms(b.initMs.median)} / ${ms(b.initMs.p90)} | ${kb(r.bytes)} | ${ms(r.initMs.median)} / ${ms(r.initMs.p90)} | ${signed(ms(b.initMs.median - r.initMs.median))} |`,
    );
  }
  log(lines.join('\n'));
  return figures;
}

/**
 * `npm exec -- tsx bench/bundles.ts [--runs N]`: only the bundle/init figures (both packagings, per Lambda and per
 * library), written into bench/results.json without dropping the other sections of the last full run: `bundles` is
 * replaced and `bundlesRun` records this run's machine, runs and the per-library figures. (`npm run bench -- --only
 * bundles` measures the same Lambdas but rewrites results.json with that section only.)
 */
async function main() {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--runs');
  const runs = at >= 0 ? Number(argv[at + 1]) : 20;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs expects a positive integer; got ${argv[at + 1]}`);
  const outDir = join(tmpdir(), `bench-bundles-${process.pid}`);
  const m = machine();
  const bundles = await measureBundles({ runs, outDir });
  const libraries = await measureLibraries({ runs, outDir });
  m.loadavg1m.end = round(loadavg()[0] ?? Number.NaN, 2);
  const file = join(__dirname, 'results.json');
  const previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const results = {
    ...previous,
    bundles,
    bundlesRun: { machine: m, runs, command: 'tsx bench/bundles.ts', libraries },
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${machineLine(m)}\n\n${packagingMarkdown(bundles)}\n\nwrote ${file}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
