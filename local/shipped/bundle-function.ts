import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** A thrown handler error, as the Lambda service reports it (`X-Amz-Function-Error: Unhandled`). */
export class FunctionError extends Error {
  override name = 'FunctionError';
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(`${functionName} failed: ${errorType}: ${errorMessage}`);
  }
}

export interface BundleFunctionOptions {
  name: string;
  arn: string;
  assetDir: string;
  handler: string;
  timeoutSeconds: number;
  memorySize: number;
  /** The complete process.env of the function: its template variables plus what the Lambda runtime sets. */
  env: Record<string, string>;
  /** Each line the function writes to stdout/stderr (Lambda sends them to CloudWatch); default: the process's. */
  onLog?: (line: string) => void;
  /** Execution environments kept at most (Lambda scales out; a busy one is never given a second event). */
  maxEnvironments?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Environment {
  worker: Worker;
  busy: boolean;
  pending: Map<string, Pending>;
}

/**
 * One deployed function run from its bundle: each execution environment is a worker thread whose process.env is
 * exactly `env`, handling one event at a time; more are started when all are busy, like Lambda scaling out. A
 * timeout kills the environment (its next event gets a cold start), as Lambda does.
 */
export class BundleFunction {
  private readonly environments: Environment[] = [];
  private readonly waiting: (() => void)[] = [];
  invocations = 0;
  /** Cold starts so far (execution environments created). */
  coldStarts = 0;

  constructor(private readonly options: BundleFunctionOptions) {}

  get name(): string {
    return this.options.name;
  }

  async invoke(event: unknown): Promise<unknown> {
    this.invocations += 1;
    const environment = await this.acquire();
    try {
      return await this.send(environment, event);
    } finally {
      environment.busy = false;
      this.waiting.shift()?.();
    }
  }

  /** Drops every warm environment (a deploy or an idle timeout): the next event gets a cold start. */
  async recycle(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    await Promise.all(this.environments.splice(0).map((environment) => environment.worker.terminate()));
  }

  private async acquire(): Promise<Environment> {
    for (;;) {
      const idle = this.environments.find((environment) => !environment.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.environments.length < (this.options.maxEnvironments ?? 4)) {
        const started = this.start();
        started.busy = true;
        return started;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private start(): Environment {
    const { options } = this;
    this.coldStarts += 1;
    const worker = new Worker(join(__dirname, 'lambda-worker.cjs'), {
      env: options.env,
      stdout: options.onLog !== undefined,
      stderr: options.onLog !== undefined,
      workerData: {
        assetDir: options.assetDir,
        handler: options.handler,
        functionName: options.name,
        functionArn: options.arn,
        memorySize: options.memorySize,
      },
    });
    const environment: Environment = { worker, busy: false, pending: new Map() };
    if (options.onLog) {
      const onLog = options.onLog;
      for (const stream of [worker.stdout, worker.stderr]) forEachLine(stream, onLog);
    }
    worker.on(
      'message',
      (message: { id: string; ok: boolean; result?: unknown; errorType?: string; errorMessage?: string }) => {
        const pending = environment.pending.get(message.id);
        if (!pending) return;
        environment.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.result);
        else pending.reject(new FunctionError(options.name, message.errorType ?? 'Error', message.errorMessage ?? ''));
      },
    );
    worker.on('error', (error) => this.discard(environment, error));
    worker.on('exit', (code) => this.discard(environment, new Error(`${options.name}: runtime exited (${code})`)));
    this.environments.push(environment);
    return environment;
  }

  private send(environment: Environment, event: unknown): Promise<unknown> {
    const id = randomUUID();
    const timeoutMs = this.options.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        environment.pending.delete(id);
        reject(new FunctionError(this.options.name, 'Sandbox.Timedout', `Task timed out after ${timeoutMs / 1000} s`));
        void environment.worker.terminate();
      }, timeoutMs);
      environment.pending.set(id, { resolve, reject, timer });
      environment.worker.postMessage({ id, requestId: id, event, timeoutMs });
    });
  }

  private discard(environment: Environment, error: Error): void {
    const index = this.environments.indexOf(environment);
    if (index >= 0) this.environments.splice(index, 1);
    for (const pending of environment.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new FunctionError(this.options.name, 'Runtime.ExitError', error.message));
    }
    environment.pending.clear();
  }
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  });
}
