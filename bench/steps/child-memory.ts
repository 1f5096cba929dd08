// Step 4 (child half): the real CLI's memory. RSS from /proc/PID/status, heapUsed after full
// collections from the preloaded probe. A second crotel, identical but watching an empty
// namespace, gives the process's fixed share, so per-object figures can be shown net of it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { startBenchCrotel, type BenchCrotel, type ChildMemory } from '../lib/crotel-child.ts';
import type { ProcMemory } from '../lib/proc.ts';
import { now, sleep } from '../lib/stats.ts';

export interface ChildMemorySample {
  readonly proc: ProcMemory;
  readonly heap: ChildMemory;
}

/** Lets the process settle for a moment, then reads RSS and (after GC) the heap. */
export async function childMemory(crotel: BenchCrotel): Promise<ChildMemorySample> {
  await sleep(1000);
  const proc = crotel.proc();
  const heap = await crotel.heap();
  return { proc, heap };
}

/** The config with every resource restricted to one namespace that holds nothing. */
export function writeEmptyConfig(config: string, dir: string): string {
  const doc = parseDocument(readFileSync(config, 'utf8'));
  const resources = doc.get('resources');
  const count = (resources as { items?: unknown[] } | undefined)?.items?.length ?? 0;
  for (let i = 0; i < count; i++) doc.setIn(['resources', i, 'namespaces'], ['bench-empty-namespace']);
  const path = join(dir, 'crotel-empty.yaml');
  writeFileSync(path, doc.toString());
  return path;
}

/** Starts crotel on the empty config, waits for /readyz, measures, stops it. */
export async function emptyChildMemory(options: { config: string; kubeconfig: string; dir: string; bin?: string }): Promise<ChildMemorySample> {
  const crotel = await startBenchCrotel({ config: writeEmptyConfig(options.config, options.dir), kubeconfig: options.kubeconfig, dir: options.dir, ...(options.bin ? { bin: options.bin } : {}) });
  try {
    const deadline = now() + 60_000;
    for (;;) {
      const res = await fetch(`${crotel.url}/readyz`).catch(() => undefined);
      if (res) await res.text();
      if (res?.status === 200) break;
      if (now() > deadline) throw new Error('crotel on the empty namespace never became ready');
      await sleep(50);
    }
    return await childMemory(crotel);
  } finally {
    await crotel.stop();
  }
}
