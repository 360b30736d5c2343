import { afterEach, beforeEach } from 'vitest';

export interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

/**
 * Captures what the Powertools loggers write (one JSON object per line on stdout/stderr) for the duration of each
 * test in the calling file, so a test can assert the lines it expects and nothing leaks into the suite's output.
 * Non-JSON output passes through untouched.
 */
export function useLogCapture() {
  const lines: LogLine[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const intercept = (original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      const parsed = parseLogLines(text);
      if (parsed) {
        lines.push(...parsed);
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  beforeEach(() => {
    lines.length = 0;
    process.stdout.write = intercept(originals.out);
    process.stderr.write = intercept(originals.err);
  });
  afterEach(() => {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
  });
  const messages = (level: string) => lines.filter((line) => line.level === level).map((line) => line.message);
  return { lines, errors: () => messages('ERROR'), warnings: () => messages('WARN') };
}

function parseLogLines(text: string): LogLine[] | undefined {
  const parts = text.split('\n').filter((part) => part.trim() !== '');
  if (parts.length === 0) return undefined;
  try {
    const parsed = parts.map((part) => JSON.parse(part) as LogLine);
    return parsed.every((line) => typeof line.level === 'string' && typeof line.message === 'string')
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}
