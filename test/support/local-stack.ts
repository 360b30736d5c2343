import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack';

export interface StartedLocalStack {
  stack: LocalStack;
  /** The stack's state folder (stack.json, emulator data), removed after the file's tests. */
  stateDir: string;
}

/**
 * One local stack for the calling test file (or describe): free ports, quiet, a temporary state folder, fast
 * webhook retries; `options` add to or override those. Returns an accessor valid inside tests and later hooks.
 */
export function useLocalStack(tag: string, options: LocalStackOptions = {}): () => StartedLocalStack {
  let started: StartedLocalStack | undefined;
  beforeAll(async () => {
    const stateDir = await mkdtemp(join(tmpdir(), `${tag}-`));
    const stack = await startLocalStack({
      stateDir,
      ports: { api: 0, dynamodb: 0, cognito: 0, stripe: 0 },
      quiet: true,
      env: {},
      ...options,
      stripe: { webhookBackoffMs: () => 10, ...options.stripe },
    });
    started = { stack, stateDir };
  }, 60_000);
  afterAll(async () => {
    await started?.stack.stop();
    if (started) await rm(started.stateDir, { recursive: true, force: true });
  });
  return () => {
    if (!started) throw new Error('the local stack did not start');
    return started;
  };
}
