// Rate limits for repeated log lines: a Collector that is down for an hour must not write one
// line per failed export. The first occurrence of a key is logged; repeats within the interval
// are counted and reported with the next line that gets through.
export class LogLimiter {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(intervalMs = 30_000, now: () => number = Date.now) {
    this.intervalMs = intervalMs;
    this.now = now;
  }

  /** Calls `log(suppressed)` unless `key` was logged within the interval; returns whether it logged. */
  maybe(key: string, log: (suppressed: number) => void): boolean {
    const now = this.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return false;
    }
    this.last.set(key, { at: now, suppressed: 0 });
    log(entry?.suppressed ?? 0);
    return true;
  }
}
