import { beforeEach } from 'vitest';

export interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

/**
 * Every test runs with the Powertools loggers' JSON lines and metric (EMF) lines captured (test/support/setup-logs.ts installs this for
 * the whole suite), so the suite's output carries no log noise and a test asserts the lines it expects through
 * `useLogCapture()`. Anything that is not a JSON log line passes through untouched.
 */
const captured: LogLine[] = [];
/** CloudWatch embedded-metric-format lines (Powertools Metrics flushes them to stdout), captured the same way. */
const metricLines: Record<string, unknown>[] = [];
/** Marks our wrapper with the write it wraps, so a later test file in the same worker wraps the original again. */
const ORIGINAL_WRITE = Symbol.for('test.logCapture.originalWrite');
type Write = typeof process.stdout.write & { [ORIGINAL_WRITE]?: typeof process.stdout.write };

function intercept(stream: NodeJS.WriteStream): Write {
  const original = (stream.write as Write)[ORIGINAL_WRITE] ?? stream.write;
  const wrapper: Write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    const lines = parseLogLines(text);
    if (lines) {
      for (const line of lines) {
        if ('_aws' in line) metricLines.push(line);
        else captured.push(line as LogLine);
      }
      return true;
    }
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Write;
  wrapper[ORIGINAL_WRITE] = original;
  return wrapper;
}

/**
 * Captures for the whole file, hooks included: lines logged outside a test (a beforeAll seeding users, an emulator
 * delivering a webhook after its test ended) stay out of the output too; each test sees only the lines since it began.
 */
export function installLogCapture(): void {
  process.stdout.write = intercept(process.stdout);
  process.stderr.write = intercept(process.stderr);
  beforeEach(() => {
    captured.length = 0;
    metricLines.length = 0;
  });
}

/** The log lines of the running test, by level. */
export function useLogCapture() {
  const messages = (level: string) => captured.filter((line) => line.level === level).map((line) => line.message);
  return {
    lines: captured,
    metrics: metricLines,
    errors: () => messages('ERROR'),
    warnings: () => messages('WARN'),
  };
}

function parseLogLines(text: string): (LogLine | Record<string, unknown>)[] | undefined {
  const parts = text.split('\n').filter((part) => part.trim() !== '');
  if (parts.length === 0) return undefined;
  try {
    const parsed = parts.map((part) => JSON.parse(part) as LogLine);
    const isLogOrMetric = (line: LogLine) =>
      (typeof line?.level === 'string' && typeof line.message === 'string') ||
      (typeof line === 'object' && line !== null && '_aws' in line);
    return parsed.every(isLogOrMetric) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
