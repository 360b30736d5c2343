import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { createAppStacks } from '../../lib/app-stacks';
import { parseStageConfig, type StageOverrides } from '../../lib/stage-config';

const REPO_ROOT = join(__dirname, '..', '..');

/**
 * Synthesizes the app into `outdir` exactly as `cdk synth` does (same composition as bin/app.ts, cdk.json's context,
 * esbuild bundling on), so the shipped-artifact tier runs the bundles and templates a deploy would upload. cdk-nag
 * is left out: it only validates, and the infra tests run it.
 */
export function synthesizeApp(outdir: string, options: { stage?: string; overrides?: StageOverrides } = {}): string {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const stage = options.stage ?? 'dev';
  // Path and asset metadata as the CDK CLI asks for them: they tie each function to its construct and bundle folder.
  const app = new App({
    outdir,
    context: {
      ...cdkJson.context,
      stage,
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
    },
  });
  const config = parseStageConfig({ stage, overrides: options.overrides });
  // Bundling runs while the stacks are built (asset staging), not in synth().
  return withoutBundlingNotices(() => {
    createAppStacks(app, config);
    return app.synth().directory;
  });
}

/** CDK announces each bundle on stderr ("Bundling asset ..."): progress, not news, in tests and `npm start`. */
function withoutBundlingNotices<T>(run: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('Bundling asset ')
      ? true
      : (write as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest)) as typeof write;
  try {
    return run();
  } finally {
    process.stderr.write = write;
  }
}
