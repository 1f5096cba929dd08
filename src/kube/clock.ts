// Time and chance as a seam: the Reflector and leader election read them from here, so unit
// tests drive every timer path with a fake clock instead of waiting (client-go's clock.Clock).

/** A pending timer: cancel() stops it, refresh() restarts its countdown from now. */
export interface Timer {
  cancel(): void;
  refresh(): void;
}

export interface Clock {
  /** Wall-clock epoch milliseconds (for timestamps written to the apiserver). */
  now(): number;
  /** Milliseconds that never go backwards, and keep counting while the process is stopped. */
  monotonic(): number;
  /** Runs fn once after ms. */
  setTimer(fn: () => void, ms: number): Timer;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer), refresh: () => void timer.refresh() };
  },
  random: () => Math.random(),
};

/** A timer as a promise that an AbortSignal ends early (resolves, never rejects). */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = clock.setTimer(done, ms);
    function done(): void {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
