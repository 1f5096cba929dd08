// Step 7 (the harness): runs replay/replay-main.ts in child processes pinned to one CPU with taskset
// (when available), so "updates per second on one core" is literal: V8's GC and compiler
// threads share that core too. One fresh process per variant, so neither inherits the other's
// JIT state or heap. The children read only files: the apiserver may be gone.
import { runPinnedChild, TASKSET } from '../lib/pinned-child.ts';
import type { ReplayResult, ReplayVariant } from '../replay/replay.ts';

const MAIN = new URL('../replay/replay-main.ts', import.meta.url).pathname;

export interface ReplayRun extends ReplayResult {
  /** The CPU the replay was pinned to, or undefined when taskset was not available. */
  readonly pinnedCpu?: number;
}

export interface ReplayRunOptions {
  readonly config: string;
  readonly objectsFile: string;
  readonly eventsFile: string;
  readonly events: number;
  readonly cpu: number;
  readonly variants: readonly ReplayVariant[];
  /** `group/kind` of the config entry to compile the stream with (replay.ts). */
  readonly resource?: string;
}

async function runChild(options: ReplayRunOptions, variant: ReplayVariant): Promise<ReplayResult> {
  const node = [process.execPath, '--expose-gc', MAIN,
    '--config', options.config, '--objects-file', options.objectsFile, '--events-file', options.eventsFile,
    '--events', String(options.events), '--warmup', String(Math.min(10_000, Math.ceil(options.events / 5))),
    '--breakdown', String(Math.min(5000, options.events)), '--variants', variant,
    ...(options.resource ? ['--resource', options.resource] : [])];
  return runPinnedChild<ReplayResult>(`replay (${variant})`, node, options.cpu);
}

export async function measureReplay(options: ReplayRunOptions): Promise<ReplayRun> {
  const results: ReplayResult[] = [];
  for (const variant of options.variants) results.push(await runChild(options, variant));
  const first = results[0];
  if (!first) throw new Error('no replay variant requested');
  return { ...first, variants: results.flatMap((r) => r.variants), ...(TASKSET ? { pinnedCpu: options.cpu } : {}) };
}
