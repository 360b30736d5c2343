import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localOrigins, startLocalStack, stripeModeFrom } from '../../../local/stack';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('local stack options', () => {
  it.each([
    [{}, 'emulator'],
    [{ STRIPE_SECRET_KEY: 'sk_test_local_abc' }, 'emulator'],
    [{ STRIPE_SECRET_KEY: 'sk_test_51Real', STRIPE_WEBHOOK_SECRET: 'whsec_cli' }, 'real'],
  ])('chooses the Stripe backend from %o', (env, kind) => {
    expect(stripeModeFrom(env).kind).toBe(kind);
  });

  it('refuses a live key and a real key without the CLI webhook secret', () => {
    expect(() => stripeModeFrom({ STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' })).toThrow(
      /test-mode key/,
    );
    expect(() => stripeModeFrom({ STRIPE_SECRET_KEY: 'sk_test_51Real' })).toThrow(/stripe listen --forward-to/);
  });

  it('allows the Vite dev server and the API itself as browser origins', () => {
    expect(localOrigins(3000)).toEqual([
      'http://localhost:5173',
      'http://127.0.0.1:5173',
      'http://localhost:3000',
      'http://127.0.0.1:3000',
    ]);
  });

  it('--fresh refuses to wipe a folder holding files the stack did not create, and starts nothing', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'fresh-'));
    dirs.push(dir);
    await writeFile(join(dir, 'thesis.tex'), 'precious');

    // Act
    const started = startLocalStack({
      stateDir: dir,
      fresh: true,
      quiet: true,
      env: {},
      ports: { api: 0, dynamodb: 0, cognito: 0, stripe: 0 },
    });

    // Assess
    await expect(started).rejects.toThrow(/Refusing to wipe .*thesis\.tex/);
    expect(existsSync(join(dir, 'thesis.tex'))).toBe(true);
    expect(existsSync(join(dir, 'stack.json'))).toBe(false);
  });

  it('rejects a malformed port variable naming it', async () => {
    await expect(startLocalStack({ env: { LOCAL_API_PORT: 'abc' }, quiet: true })).rejects.toThrow(
      /LOCAL_API_PORT=abc/,
    );
  });
});
