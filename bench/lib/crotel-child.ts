// The real crotel CLI as a child process, started through the test harness's startCrotel with
// the bench probe preloaded (heap figures on demand), plus what /proc tells about it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { procMemory, type ProcMemory } from './proc.ts';
import { now, sleep } from './stats.ts';

const PROBE = new URL('./child-probe.ts', import.meta.url).pathname;

export interface ChildMemory {
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
  readonly collected: boolean;
}


export interface BenchCrotel {
  readonly crotel: CrotelProcess;
  readonly pid: number;
  readonly url: string;
  /** now() just before spawning, and once /healthz answered. */
  readonly spawnedAt: number;
  readonly listeningAt: number;
  /** Full GC in the child, then its process.memoryUsage(). */
  heap(): Promise<ChildMemory>;
  proc(): ProcMemory;
  /** Seconds crotel itself logged for its initial paginated list ("listed"). */
  listedSeconds(): number | undefined;
  stop(): Promise<void>;
}


/** `config` undefined: no --config (zero config); `bin` another revision's bin/crotel.js. */
export async function startBenchCrotel(options: { config: string | undefined; kubeconfig: string; dir: string; env?: Record<string, string>; bin?: string }): Promise<BenchCrotel> {
  const probeFile = join(options.dir, 'crotel-heap.json');
  const spawnedAt = now();
  const crotel = await startCrotel({
    args: [...(options.config !== undefined ? ['--config', options.config] : []), '--kubeconfig', options.kubeconfig],
    env: {
      CROTEL_LOG_LEVEL: 'info',
      CROTEL_BENCH_PROBE_FILE: probeFile,
      NODE_OPTIONS: `--expose-gc --import=${PROBE}`,
      ...options.env,
    },
    waitReady: false,
    ...(options.bin ? { bin: options.bin } : {}),
  });
  const listeningAt = now();
  const pid = crotel.child.pid;
  if (pid === undefined) throw new Error('crotel has no pid');
  return {
    crotel,
    pid,
    url: crotel.url,
    spawnedAt,
    listeningAt,
    async heap() {
      rmSync(probeFile, { force: true });
      crotel.child.kill('SIGUSR2');
      const deadline = Date.now() + 30_000;
      while (!existsSync(probeFile)) {
        if (Date.now() > deadline) throw new Error('crotel heap probe did not answer (is the preload loaded?)');
        await sleep(20);
      }
      return JSON.parse(readFileSync(probeFile, 'utf8')) as ChildMemory;
    },
    proc: () => procMemory(pid),
    listedSeconds() {
      for (const line of crotel.output().split('\n')) {
        if (!line.includes('"msg":"listed"')) continue;
        try {
          const entry = JSON.parse(line) as { seconds?: number };
          if (typeof entry.seconds === 'number') return entry.seconds;
        } catch {
          // not a JSON log line
        }
      }
      return undefined;
    },
    async stop() {
      await crotel.stop('SIGTERM');
    },
  };
}
