import { installLogCapture } from './logs';

// Loaded for every test file (vitest.config.mts setupFiles): log lines are captured per test, never printed.
installLogCapture();
