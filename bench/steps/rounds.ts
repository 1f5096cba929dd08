// Steps 3 and 4 again, in rounds, for this checkout's CLI and another one (`--compare-bin`, e.g.
// an older revision's bin/crotel.js in a worktree): start → ready and heap per object, each
// binary alone on the apiserver, alternating the order per round so neither always goes first on
// a warm apiserver. The figures are comparable because both read the same objects from the same
// apiserver with the same config, one right after the other.
import { startBenchCrotel } from '../lib/crotel-child.ts';
import { childMemory, emptyChildMemory, type ChildMemorySample } from './child-memory.ts';
import { measureStart, type StartResult } from './start.ts';

export interface RoundResult {
  readonly bin: string;
  readonly round: number;
  readonly start: StartResult;
  readonly afterSync: ChildMemorySample;
  /** (heap after sync − heap of the same binary watching nothing) / N. */
  readonly heapPerObject: number;
}

export interface RoundsOptions {
  readonly config: string;
  readonly kubeconfig: string;
  readonly dir: string;
  readonly objects: number;
  readonly timeoutMs: number;
  readonly rounds: number;
  /** label → entry point (undefined: this checkout's bin/crotel.js). */
  readonly bins: readonly { readonly label: string; readonly bin?: string }[];
  readonly log: (line: string) => void;
}

export async function measureRounds(options: RoundsOptions): Promise<{ empty: Record<string, ChildMemorySample>; rounds: RoundResult[] }> {
  const empty: Record<string, ChildMemorySample> = {};
  for (const b of options.bins) {
    empty[b.label] = await emptyChildMemory({ config: options.config, kubeconfig: options.kubeconfig, dir: options.dir, ...(b.bin ? { bin: b.bin } : {}) });
  }
  const rounds: RoundResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? options.bins : [...options.bins].reverse();
    for (const b of order) {
      const crotel = await startBenchCrotel({ config: options.config, kubeconfig: options.kubeconfig, dir: options.dir, ...(b.bin ? { bin: b.bin } : {}) });
      try {
        const start = await measureStart(crotel, options.objects, options.timeoutMs);
        const afterSync = await childMemory(crotel);
        const heapPerObject = (afterSync.heap.heapUsed - empty[b.label]!.heap.heapUsed) / options.objects;
        rounds.push({ bin: b.label, round, start, afterSync, heapPerObject });
        options.log(`   round ${round}, ${b.label}: start → complete /metrics ${start.completeSeconds.toFixed(2)} s (crotel's list ${start.listedSeconds?.toFixed(2) ?? 'n/a'} s), heap ${Math.round(heapPerObject)} B/object`);
      } finally {
        await crotel.stop();
      }
    }
  }
  return { empty, rounds };
}
