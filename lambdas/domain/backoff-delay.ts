/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the wait before
 * attempt `attempt + 1` is uniform in [0, min(maxMs, baseMs * 2^(attempt - 1))). `random` is in [0, 1).
 */
export function jitteredDelayMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  return Math.floor(random * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}
