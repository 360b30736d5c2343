import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Log lines are captured per test (assert them with useLogCapture()), so the output shows only real failures.
    setupFiles: ['test/support/setup-logs.ts'],
    environment: 'node',
    // Integration tests start their own emulators; CDK synth with bundling is slow on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', POWERTOOLS_DEV: 'false', POWERTOOLS_LOG_LEVEL: 'WARN' },
  },
});
