/**
 * Modules the bundles leave out (esbuild `external`). None: the AWS SDK v3 is bundled, pinned by package-lock, so
 * the deployed functions run the SDK version the tests ran (see lib/constructs/app-function.ts).
 * `lib/constructs/app-function.ts` ships with this list and `bench/bundles.ts` measures with it, so the benchmark's
 * bundles are the deployed ones.
 */
export const RUNTIME_PROVIDED_MODULES: readonly string[] = [];
