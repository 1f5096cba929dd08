// Small numeric helpers the bench steps share: percentiles, medians, human-readable sizes.

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. Does not mutate. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function min(values: readonly number[]): number {
  let m = Number.NaN;
  for (const v of values) if (!(v >= m)) m = v;
  return m;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** KiB below 1 MiB (a compressed scrape of a few thousand objects), else MiB. */
export function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : mib(bytes);
}

export function ms(milliseconds: number): string {
  return Number.isFinite(milliseconds) ? `${milliseconds.toFixed(milliseconds < 10 ? 2 : 0)} ms` : 'n/a';
}

export function secs(seconds: number): string {
  return Number.isFinite(seconds) ? `${seconds.toFixed(seconds < 10 ? 3 : 1)} s` : 'n/a';
}

export function rate(perSecond: number): string {
  return Number.isFinite(perSecond) ? `${Math.round(perSecond).toLocaleString('en-US')}/s` : 'n/a';
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Milliseconds since an arbitrary origin, monotonic: every step times with this clock. */
export function now(): number {
  return performance.now();
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export function max(values: readonly number[]): number {
  let m = Number.NaN;
  for (const v of values) if (!(v <= m)) m = v;
  return m;
}
