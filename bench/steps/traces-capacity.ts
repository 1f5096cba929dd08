// Traces capacity, the harness: for each receiver variant, starts the real receiver(s) pinned to
// the CPUs the replay does not use, runs replay/traces-replay-main.ts in a fresh child pinned to one CPU
// with taskset (so "per second on one core" is literal: V8's GC and compiler threads, the OTLP
// serialization and the HTTP client share that core), then checks sampled traces whole in Jaeger.
//   jaeger    — crotel's exporter → Jaeger v2's OTLP/HTTP receiver
//   collector — crotel's exporter → the built Collector with the shipped config → OTLP/gRPC → Jaeger v2
import { cpus } from 'node:os';
import { makeTempDir, removeTempDir } from '../../harness/processes.ts';
import { runPinnedChild, TASKSET } from '../lib/pinned-child.ts';
import { startJaeger, startShippedCollector, type Jaeger, type ShippedCollector } from '../lib/trace-receivers.ts';
import type { TracesReplayOptions, TracesReplayResult } from '../replay/traces-replay.ts';

const MAIN = new URL('../replay/traces-replay-main.ts', import.meta.url).pathname;

export type ReceiverVariant = 'jaeger' | 'collector';
/** full: as fast as the core goes; target: paced at the target; probe: paced just under the export capacity full speed showed. */
export type CapacityMode = 'full' | 'target' | 'probe';

/** What the replay child is told, plus how the capacity step runs it. */
export interface CapacityOptions extends Pick<TracesReplayOptions, 'config' | 'objectsFile' | 'eventsFile' | 'source' | 'events' | 'warmup' | 'rate'> {
  readonly mode: CapacityMode;
  /** The rate in transitions/s the pacing aims at (target and probe runs). */
  readonly aimTransitions?: number;
  readonly cpu: number;
  readonly variants: readonly ReceiverVariant[];
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly log: (message: string) => void;
}

export interface SpotCheck {
  readonly checked: number;
  readonly whole: number;
  readonly mismatches: readonly { readonly traceId: string; readonly exported: number; readonly inJaeger: number }[];
}

export interface CapacityRun extends TracesReplayResult {
  readonly variant: ReceiverVariant;
  readonly mode: CapacityMode;
  readonly aimTransitions?: number;
  readonly receiverChain: string;
  readonly pinnedCpu?: number;
  readonly receiverCpus?: string;
  readonly spotCheck: SpotCheck;
}

/** CPUs other than `cpu`, as a taskset list; undefined when there is no other CPU (or no taskset). */
function otherCpus(cpu: number): string | undefined {
  const others = cpus().map((_c, i) => i).filter((i) => i !== cpu);
  return TASKSET && others.length > 0 ? others.join(',') : undefined;
}

async function runChild(args: string[], env: NodeJS.ProcessEnv, cpu: number): Promise<TracesReplayResult> {
  const node = [process.execPath, '--expose-gc', MAIN, ...args];
  return runPinnedChild<TracesReplayResult>('traces replay', node, cpu, env);
}

async function spotCheck(jaeger: Jaeger, sampled: TracesReplayResult['sampledTraces'], limit: number): Promise<SpotCheck> {
  // The newest traces: the oldest may have been dropped by crotel's drop-oldest queue, if anything was.
  const picked = sampled.slice(-limit);
  const mismatches: { traceId: string; exported: number; inJaeger: number }[] = [];
  for (const { traceId, spans } of picked) {
    const inJaeger = await jaeger.traceSpans(traceId);
    if (inJaeger !== spans) mismatches.push({ traceId, exported: spans, inJaeger });
  }
  return { checked: picked.length, whole: picked.length - mismatches.length, mismatches: mismatches.slice(0, 5) };
}

export async function measureCapacity(options: CapacityOptions): Promise<CapacityRun[]> {
  const runs: CapacityRun[] = [];
  const receiverCpus = otherCpus(options.cpu);
  for (const variant of options.variants) {
    const dir = makeTempDir(`crotel-bench-traces-${variant}-`);
    let jaeger: Jaeger | undefined;
    let collector: ShippedCollector | undefined;
    try {
      // The store keeps the newest 50,000 traces (bounded memory); the spot checks read the newest
      // sampled ones, and the counts come from Jaeger's telemetry, which eviction does not touch.
      jaeger = await startJaeger({ dir, ...(receiverCpus ? { cpus: receiverCpus } : {}), maxTraces: 50_000 });
      const receivers = [{ name: 'Jaeger v2', metricsUrl: jaeger.metricsUrl }];
      let endpoint = jaeger.otlpHttp;
      let chain = 'Jaeger v2 (OTLP/HTTP receiver → batch → memstore)';
      if (variant === 'collector') {
        collector = await startShippedCollector({ dir, ...(receiverCpus ? { cpus: receiverCpus } : {}), tracesGrpc: jaeger.otlpGrpc });
        receivers.unshift({ name: 'Collector', metricsUrl: collector.metricsUrl });
        endpoint = collector.otlpHttp;
        chain = 'Collector, shipped otel-collector/config.yaml (memory_limiter → batch 200 ms/1024 → otlp_grpc) → Jaeger v2 (OTLP/gRPC → batch → memstore)';
      }
      options.log(`   ${variant}: replaying ${options.events.toLocaleString('en-US')} events → ${chain}`);
      const args = ['--config', options.config, '--objects-file', options.objectsFile, '--events-file', options.eventsFile,
        '--source', options.source, '--events', String(options.events), '--warmup', String(options.warmup), '--rate', String(options.rate),
        ...receivers.flatMap((r) => ['--receiver', `${r.name}=${r.metricsUrl}`])];
      const env: NodeJS.ProcessEnv = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: options.protocol };
      delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
      delete env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL;
      const result = await runChild(args, env, options.cpu);
      const check = await spotCheck(jaeger, result.sampledTraces, 50);
      runs.push({
        ...result, variant, mode: options.mode, ...(options.aimTransitions !== undefined ? { aimTransitions: options.aimTransitions } : {}),
        receiverChain: chain, spotCheck: check,
        ...(TASKSET ? { pinnedCpu: options.cpu } : {}), ...(receiverCpus ? { receiverCpus } : {}),
      });
    } finally {
      await collector?.stop().catch(() => {});
      await jaeger?.stop().catch(() => {});
      removeTempDir(dir);
    }
  }
  return runs;
}
