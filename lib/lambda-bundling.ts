/**
 * Modules the Lambda Node.js 22 runtime provides and the bundles leave out (esbuild `external`): the AWS SDK v3
 * and its Smithy core. `lib/constructs/app-function.ts` ships with this list and `bench/bundles.ts` measures with it,
 * so the benchmark's bundles are the deployed ones.
 */
export const RUNTIME_PROVIDED_MODULES: readonly string[] = ['@aws-sdk/*', '@smithy/*'];
