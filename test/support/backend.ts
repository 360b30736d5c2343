import { afterAll, beforeAll } from 'vitest';
import { type EmulatorBackend, type EmulatorBackendOptions, startEmulatorBackend } from '../../local/backend';

/**
 * Starts the emulator backend once for the calling test file (beforeAll) and stops it afterwards.
 * Returns an accessor, since the backend exists only once beforeAll has run.
 */
export function useEmulatorBackend(options: EmulatorBackendOptions = {}): () => EmulatorBackend {
  let backend: EmulatorBackend | undefined;
  beforeAll(async () => {
    backend = await startEmulatorBackend(options);
  });
  afterAll(async () => {
    await backend?.stop();
  });
  return () => {
    if (!backend) throw new Error('emulator backend not started: call inside a test or hook');
    return backend;
  };
}

/** A unique, valid email per call, so tests in one file never collide. */
let counter = 0;
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}-${process.pid}-${Date.now()}-${counter}@example.com`;
}
