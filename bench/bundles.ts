import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { type Summary, summarize } from './stats';

const ROOT = join(__dirname, '..');

export interface BundleFigure {
  lambda: string;
  bytes: number;
  initMs: Summary;
}

/** Every Lambda entry: one module per file in lambdas/handlers. */
export function handlerEntries(): string[] {
  const dir = join(ROOT, 'lambdas', 'handlers');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => join(dir, file));
}

/** Bundles one entry the way lib/constructs/app-function.ts ships it (minified, source maps, AWS SDK bundled). */
export async function bundle(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, `${basename(entry, '.ts')}.js`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
  });
  return outfile;
}

/** Module init: a fresh `node` process timing `require(bundle)`, like a Lambda cold start's init phase. */
export function measureInit(bundlePath: string, runs: number): Summary {
  const script = `const t=performance.now();require(${JSON.stringify(bundlePath)});process.stdout.write(String(performance.now()-t))`;
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const out = execFileSync(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    samples.push(Number(out.toString()));
  }
  return summarize(samples);
}

export async function measureBundles(options: { runs: number; outDir: string }): Promise<BundleFigure[]> {
  mkdirSync(options.outDir, { recursive: true });
  const figures: BundleFigure[] = [];
  for (const entry of handlerEntries()) {
    const out = await bundle(entry, options.outDir);
    figures.push({ lambda: basename(entry, '.ts'), bytes: statSync(out).size, initMs: measureInit(out, options.runs) });
  }
  return figures;
}
