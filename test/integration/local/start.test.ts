import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const TSX = join(process.cwd(), 'node_modules/.bin/tsx');
const FREE_PORTS = { LOCAL_API_PORT: '0', LOCAL_DYNAMODB_PORT: '0', LOCAL_COGNITO_PORT: '0', LOCAL_STRIPE_PORT: '0' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'npm-start-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `npm start` as a user runs it (tsx itself runs the script in a child node process). */
function startCli(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const { STRIPE_SECRET_KEY: _ignored, ...inherited } = process.env;
  const child = spawn(TSX, ['local/start.ts'], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output, exited };
}

function waitForOutput(output: () => string, text: string, exited: Promise<number | null>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (output().includes(text)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      if (!output().includes(text)) reject(new Error(`exited with ${code} before "${text}":\n${output()}`));
    });
  });
}

/** Every live descendant of a process (Linux /proc). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/**
 * Processes still alive once they have had a moment to finish exiting: esbuild's service process (tsx) exits when
 * its parent's pipe closes, a few milliseconds after the parent. Anything alive after that is an orphan.
 */
async function survivors(pids: number[]): Promise<string[]> {
  for (let i = 0; i < 60 && pids.some(alive); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  return pids.filter(alive).map((pid) => `${pid} ${commandLine(pid)}`);
}

describe('npm start', () => {
  it('becomes ready (stack.json written), then exits cleanly on SIGTERM leaving no child process', async () => {
    // Prepare
    const dir = await stateDir();
    const { child, output, exited } = startCli({ ...FREE_PORTS, LOCAL_DIR: dir });

    // Act
    await waitForOutput(output, 'Local stack ready', exited);
    const stackFile = join(dir, 'stack.json');
    const info = JSON.parse(readFileSync(stackFile, 'utf8')) as Record<string, unknown>;
    const apiAnswers = (await fetch(`${String(info.apiUrl)}/no-such-route`)).status;
    const spawned = descendants(child.pid ?? -1);
    child.kill('SIGTERM');
    const code = await exited;

    // Assess
    expect(Object.keys(info).sort()).toEqual(
      [
        'apiUrl',
        'webUrl',
        'region',
        'userPoolId',
        'userPoolClientId',
        'cognitoEndpoint',
        'dynamodbEndpoint',
        'stripeApiBase',
        'stripeSecretKey',
        'webhookSecret',
        'tables',
      ].sort(),
    );
    expect(info.stripeSecretKey).toMatch(/^sk_test_local_/);
    expect(output().trimStart().split('\n')[0]).toBe(
      `Example app  ${String(info.webUrl)}  (sign up, check out, see the gated example routes flip)`,
    );
    expect(apiAnswers).toBe(404);
    expect(code).toBe(0);
    expect(await survivors(spawned)).toEqual([]);
    expect(existsSync(stackFile)).toBe(false);
  });

  it('fails with a clear error naming a port that is in use', async () => {
    // Prepare
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    const dir = await stateDir();

    // Act
    const { output, exited } = startCli({ ...FREE_PORTS, LOCAL_STRIPE_PORT: String(port), LOCAL_DIR: dir });
    const code = await exited;

    // Assess
    expect(code).toBe(1);
    expect(output()).toContain(`Port ${port} (stripe) is already in use`);
  });
});
