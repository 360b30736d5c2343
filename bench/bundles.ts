import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { RUNTIME_PROVIDED_MODULES } from '../lib/lambda-bundling';
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

/**
 * Bundles one entry the way lib/constructs/app-function.ts ships it: minified, source maps, the AWS SDK left to the
 * runtime (same external list). Writes `<name>.meta.json` (esbuild metafile) next to it for size analysis.
 */
export async function bundle(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, `${basename(entry, '.ts')}.js`);
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [...RUNTIME_PROVIDED_MODULES],
    metafile: true,
    logLevel: 'silent',
  });
  writeFileSync(outfile.replace(/\.js$/, '.meta.json'), JSON.stringify(result.metafile));
  return outfile;
}

/**
 * Module init: a fresh `node` process timing `require(bundle)`, like a Lambda cold start's init phase. The AWS SDK is
 * external, as in Lambda where the runtime provides it: NODE_PATH points at the repository's node_modules, which
 * stands in for the runtime's SDK, so its load time is counted as it is in Lambda.
 */
export function measureInit(bundlePath: string, runs: number): Summary {
  const script = `const t=performance.now();require(${JSON.stringify(bundlePath)});process.stdout.write(String(performance.now()-t))`;
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const out = execFileSync(process.execPath, ['-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: join(ROOT, 'node_modules'),
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      },
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
