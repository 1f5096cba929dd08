// Preloaded into the crotel child only by the bench (NODE_OPTIONS="--expose-gc --import …"),
// so heap figures come from inside the real CLI process without a hook in src/: on SIGUSR2 it
// runs full collections and writes process.memoryUsage() as JSON to $CROTEL_BENCH_PROBE_FILE.
import { renameSync, writeFileSync } from 'node:fs';

const target = process.env.CROTEL_BENCH_PROBE_FILE;
if (target) {
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: unknown }).gc;
    const collected = typeof gc === 'function';
    if (collected) for (let i = 0; i < 3; i++) (gc as () => void)();
    writeFileSync(`${target}.tmp`, JSON.stringify({ ...process.memoryUsage(), collected }));
    renameSync(`${target}.tmp`, target);
  });
}
