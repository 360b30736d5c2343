/** Summary statistics for repeated measurements: every figure is a median with min and max. */
export interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
  p50: number;
  p99: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    median: percentile(sorted, 50),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

/** Median, min and max of a figure measured once per repetition. */
export function acrossRuns(values: readonly number[]): { median: number; min: number; max: number } {
  const { median, min, max } = summarize(values);
  return { median, min, max };
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));
