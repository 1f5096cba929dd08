// A handle on V8's gc() for heap measurements: `--expose-gc` when the process was started with
// it, otherwise enabled at run time (v8 flag + a fresh context), so `node bench/main.ts` works
// without extra flags.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = () => void;

let cached: GcFunction | undefined;

export function gcFunction(): GcFunction {
  if (cached) return cached;
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') {
    cached = existing as GcFunction;
    return cached;
  }
  setFlagsFromString('--expose-gc');
  cached = runInNewContext('gc') as GcFunction;
  return cached;
}

/** Full collections until the heap stops shrinking; returns heapUsed in bytes. */
export function settledHeapUsed(): number {
  const gc = gcFunction();
  let previous = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= previous - 64 * 1024) return used;
    previous = used;
  }
  return previous;
}
