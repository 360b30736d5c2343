/**
 * Modules the bundles leave out (esbuild `external`). None: the AWS SDK v3 is bundled, pinned by package-lock, so
 * the deployed functions run the SDK version the tests ran (see lib/constructs/app-function.ts).
 * `lib/constructs/app-function.ts` ships with this list and `bench/bundles.ts` measures with it, so the benchmark's
 * bundles are the deployed ones.
 */
export const RUNTIME_PROVIDED_MODULES: readonly string[] = [];

/**
 * esbuild `mainFields`: a package's ES module build (`module`) before its CommonJS one (`main`). esbuild's default on
 * platform node is `main` first, which takes the SDK's `dist-cjs` (every command of every client, no tree shaking);
 * the `dist-es` build lets esbuild keep only what the code imports (AWS's advice for bundling the SDK v3). Measured on
 * the webhook bundle: 1,470 KB -> 1,163 KB and about half the module init (docs/benchmarks.md). Packages with an
 * `exports` map are resolved by its conditions as before (`import` for our `import` statements).
 * Shared by lib/constructs/app-function.ts and bench/bundles.ts, like the list above.
 */
export const BUNDLE_MAIN_FIELDS: readonly string[] = ['module', 'main'];
