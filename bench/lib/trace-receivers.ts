// Real span receivers for the lifecycle-traces capacity step: Jaeger v2 (in-memory store, OTLP/HTTP
// and OTLP/gRPC in, query API out) and the built Collector running the SHIPPED
// otel-collector/config.yaml (memory_limiter → batch 200 ms / 1024 → otlp_grpc) in front of it.
// Both expose their own telemetry (Prometheus text) so the bench reads how many spans each one
// accepted and passed on, and Jaeger's query API answers spot checks of whole traces.
// Processes go through the harness's startProcess (exit hooks kill them on any way out) and can
// be pinned with taskset to CPUs other than the replay's, so the receivers never take its core.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from '../../harness/binaries.ts';
import { freePort, startProcess, waitFor, type Managed } from '../../harness/processes.ts';
import { parseExposition } from '../../harness/prom-text.ts';
import { TASKSET } from './pinned-child.ts';

const COLLECTOR_CONFIG = new URL('../../otel-collector/config.yaml', import.meta.url).pathname;

/** Spans a Collector-based process (Jaeger v2 is one) counted in its own telemetry. */
export interface SpanCounters {
  /** otelcol_receiver_accepted_spans, all receivers. */
  readonly accepted: number;
  /** otelcol_receiver_refused_spans (+ failed), all receivers. */
  readonly refused: number;
  /** otelcol_exporter_sent_spans, all exporters (for Jaeger: written to its store). */
  readonly sent: number;
  /** otelcol_exporter_send_failed_spans. */
  readonly sendFailed: number;
}

export interface Receiver {
  readonly name: string;
  readonly metricsUrl: string;
  readonly logFile: string;
  counters(): Promise<SpanCounters>;
  stop(): Promise<void>;
}

export interface Jaeger extends Receiver {
  readonly otlpHttp: string;
  /** host:port of the OTLP/gRPC receiver (what a Collector's otlp_grpc exporter dials). */
  readonly otlpGrpc: string;
  readonly queryUrl: string;
  /** Spans Jaeger's query API returns for one trace (0 when unknown). */
  traceSpans(traceId: string): Promise<number>;
}

export interface ShippedCollector extends Receiver {
  readonly otlpHttp: string;
}

function launch(name: string, binary: string, args: string[], dir: string, cpus: string | undefined, env?: NodeJS.ProcessEnv): Managed {
  // taskset execs the binary: the managed pid is the receiver's own.
  return TASKSET && cpus !== undefined
    ? startProcess(name, TASKSET, ['-c', cpus, binary, ...args], dir, env)
    : startProcess(name, binary, args, dir, env);
}

/** A Collector's (or Jaeger v2's) span counters from its Prometheus telemetry endpoint. */
export async function readSpanCounters(url: string): Promise<SpanCounters> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const series = parseExposition(await res.text());
  // Jaeger 1.76 (Collector core 0.140) names counters `…_total`; Collector 0.165 drops the suffix.
  const sum = (...names: string[]): number => {
    let total = 0;
    for (const [key, value] of series) if (names.some((n) => key.startsWith(`${n}{`) || key.startsWith(`${n}_total{`))) total += value;
    return total;
  };
  return {
    accepted: sum('otelcol_receiver_accepted_spans'),
    refused: sum('otelcol_receiver_refused_spans', 'otelcol_receiver_failed_spans'),
    sent: sum('otelcol_exporter_sent_spans'),
    sendFailed: sum('otelcol_exporter_send_failed_spans'),
  };
}

async function ok(url: string, init?: RequestInit): Promise<boolean> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.ok;
}

function alive(proc: Managed, name: string): void {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${name} exited; see ${proc.logFile}`);
}

const EMPTY_TRACES = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' } as const;

/** Jaeger v2: OTLP in (HTTP and gRPC) → batch → in-memory store; query API; telemetry on a pull port. */
export async function startJaeger(options: { dir: string; cpus?: string; maxTraces: number }): Promise<Jaeger> {
  const [http, grpc, queryHttp, queryGrpc, telemetry] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const config = {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: {
        logs: { level: 'warn' },
        traces: { level: 'none' },
        metrics: { level: 'normal', readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: telemetry } } } }] },
      },
    },
    extensions: {
      jaeger_storage: { backends: { memstore: { memory: { max_traces: options.maxTraces } } } },
      jaeger_query: { storage: { traces: 'memstore' }, http: { endpoint: `127.0.0.1:${queryHttp}` }, grpc: { endpoint: `127.0.0.1:${queryGrpc}` } },
    },
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${http}` }, grpc: { endpoint: `127.0.0.1:${grpc}` } } } },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  };
  const configPath = join(options.dir, 'jaeger.yaml');
  writeFileSync(configPath, JSON.stringify(config, null, 2)); // JSON is YAML
  const proc = launch('jaeger', binaryPath('jaeger'), ['--config', configPath], options.dir, options.cpus, { ...process.env, OTEL_TRACES_EXPORTER: 'none' });
  const otlpHttp = `http://127.0.0.1:${http}`;
  const queryUrl = `http://127.0.0.1:${queryHttp}`;
  const metricsUrl = `http://127.0.0.1:${telemetry}/metrics`;
  try {
    await waitFor('Jaeger OTLP/HTTP receiver and query API', async () => {
      alive(proc, 'jaeger');
      return (await ok(`${otlpHttp}/v1/traces`, EMPTY_TRACES)) && (await ok(`${queryUrl}/api/v3/services`)) && (await ok(metricsUrl));
    }, 60_000, 200);
  } catch (error) {
    await proc.stop(2000);
    throw error;
  }
  return {
    name: 'Jaeger v2',
    otlpHttp,
    otlpGrpc: `127.0.0.1:${grpc}`,
    queryUrl,
    metricsUrl,
    logFile: proc.logFile,
    counters: () => readSpanCounters(metricsUrl),
    async traceSpans(traceId) {
      const res = await fetch(`${queryUrl}/api/v3/traces/${traceId}`, { signal: AbortSignal.timeout(30_000) });
      if (res.status === 404) return 0;
      if (!res.ok) throw new Error(`Jaeger trace ${traceId}: HTTP ${res.status}`);
      const body = (await res.json()) as { result?: { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] } };
      let n = 0;
      for (const rs of body.result?.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
      return n;
    },
    stop: () => proc.stop(1000), // in-memory store: nothing to flush; it is slow to honour SIGTERM
  };
}

/**
 * The built Collector with the shipped otel-collector/config.yaml verbatim, addresses through its
 * environment variables (as examples/demo/stack.ts runs it); traces go to `tracesGrpc`.
 */
export async function startShippedCollector(options: { dir: string; cpus?: string; tracesGrpc: string }): Promise<ShippedCollector> {
  const [http, grpc, telemetry, prometheus] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const proc = launch('otelcol', binaryPath('otelcol-crotel'), [`--config=${COLLECTOR_CONFIG}`], options.dir, options.cpus, {
    ...process.env,
    OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
    OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
    OTELCOL_TELEMETRY_HOST: '127.0.0.1',
    OTELCOL_TELEMETRY_PORT: String(telemetry),
    // Nothing sends metrics in this step; the metrics pipeline only needs a syntactically valid target.
    PROMETHEUS_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${prometheus}/api/v1/otlp/v1/metrics`,
    TRACES_OTLP_GRPC_ENDPOINT: options.tracesGrpc,
  });
  const otlpHttp = `http://127.0.0.1:${http}`;
  const metricsUrl = `http://127.0.0.1:${telemetry}/metrics`;
  try {
    await waitFor('Collector OTLP/HTTP receiver', async () => {
      alive(proc, 'otelcol');
      return (await ok(`${otlpHttp}/v1/traces`, EMPTY_TRACES)) && (await ok(metricsUrl));
    }, 60_000, 200);
  } catch (error) {
    await proc.stop(2000);
    throw error;
  }
  return {
    name: 'Collector (shipped config)',
    otlpHttp,
    metricsUrl,
    logFile: proc.logFile,
    counters: () => readSpanCounters(metricsUrl),
    stop: () => proc.stop(5000),
  };
}
