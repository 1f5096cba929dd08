// Watch coalescing as a decorator of the line handler: lines arriving within windowMs of the
// last batch handled wait and are handled together; the first line after a quiet spell is
// never held, and a batch of maxChars goes at once. Why: under a steady trickle of changes
// much of the CPU per event is paid per wake-up, not per event; batches of ~5 cut it by a
// quarter (`npm run bench -- watch-cpu --coalesce`).
import type { Clock, Timer } from './clock.ts';

/** Handles the lines of one batch in order; what it throws ends the watch. */
export type LineHandler = (lines: readonly string[]) => void;

export interface LineBatcher {
  /** Takes complete lines; handles them now (throwing what the handler throws) or later. */
  push(lines: readonly string[]): void;
  /** Handles whatever waits, now. */
  flush(): void;
  /** Drops whatever waits; nothing is handled after this. */
  cancel(): void;
}

export interface CoalescingOptions {
  readonly windowMs: number;
  readonly maxChars: number;
  readonly clock: Clock;
  /** Hears what the handler throws from a timer-driven flush (there is no caller to throw to). */
  readonly onError: (error: unknown) => void;
}

export function coalescing(handle: LineHandler, options: CoalescingOptions): LineBatcher {
  const { windowMs, maxChars, clock, onError } = options;
  let pending: string[] = [];
  let pendingChars = 0;
  let lastBatch = -Infinity;
  let timer: Timer | undefined;
  let cancelled = false;
  const flush = (): void => {
    timer?.cancel();
    timer = undefined;
    lastBatch = clock.monotonic();
    const lines = pending;
    pending = [];
    pendingChars = 0;
    if (lines.length > 0) handle(lines);
  };
  return {
    push(lines) {
      if (cancelled) return;
      for (const line of lines) {
        pending.push(line);
        pendingChars += line.length;
      }
      if (pending.length === 0) return;
      if (pendingChars >= maxChars) return flush();
      if (timer) return;
      const wait = lastBatch + windowMs - clock.monotonic();
      if (wait <= 0) return flush();
      timer = clock.setTimer(() => {
        timer = undefined;
        if (cancelled) return;
        try {
          flush();
        } catch (error) {
          onError(error);
        }
      }, wait);
    },
    flush() {
      if (!cancelled) flush();
    },
    cancel() {
      cancelled = true;
      timer?.cancel();
      timer = undefined;
      pending = [];
    },
  };
}
