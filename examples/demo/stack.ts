// The whole crotel path natively, without Docker: a real etcd + kube-apiserver (the test
// harness), the DatabaseInstance simulator, crotel, the OpenTelemetry Collector running
// otel-collector/config.yaml, Prometheus 3 running prometheus/prometheus.yml and its rules, and
// Jaeger v2 as the trace store. Every process listens on free loopback ports; the shipped config
// files are used as they are, with only addresses set through environment variables (the
// Collector) or a file-discovery targets file (Prometheus). Used by `npm run demo:local` and by
// test/integration/stack.test.ts.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from '../../harness/binaries.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { applyCrds } from '../../harness/kube.ts';
import { freePort, makeTempDir, removeTempDir, startProcess, waitFor, type Managed } from '../../harness/processes.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { KubeClient } from '../simulator/kube.ts';
import { Simulator } from '../simulator/simulator.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
export const PATHS = {
  crd: join(ROOT, 'examples/databaseinstance/crd.yaml'),
  crotelConfig: join(ROOT, 'examples/databaseinstance/crotel-full.yaml'),
  collectorConfig: join(ROOT, 'otel-collector/config.yaml'),
  prometheusDir: join(ROOT, 'prometheus'),
};

/** Prometheus --query.lookback-delta, as docker-compose.yml sets it (see there). */
export const PROMETHEUS_LOOKBACK = '30s';

export interface StackOptions {
  /** Simulated DatabaseInstances (default 12). */
  readonly instances?: number;
  /** Simulator speed: 1 = realistic timings (default 1). */
  readonly speed?: number;
  readonly failureRate?: number;
  readonly seed?: number;
  /** crotel's OTLP metric export interval in ms (default 5000). */
  readonly exportIntervalMs?: number;
  /** Value of k8s.cluster.name on crotel's resource (promoted to a label by Prometheus). */
  readonly clusterName?: string;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface Stack {
  readonly cp: ControlPlane;
  readonly crotel: CrotelProcess;
  readonly simulator: Simulator;
  /** http://127.0.0.1:port of Prometheus (UI and API). */
  readonly prometheusUrl: string;
  /** http://127.0.0.1:port of Jaeger's query API / UI. */
  readonly jaegerUrl: string;
  /** http://127.0.0.1:port of the Collector's OTLP/HTTP receiver. */
  readonly collectorOtlpHttp: string;
  /** http://127.0.0.1:port/metrics of the Collector's own telemetry. */
  readonly collectorMetricsUrl: string;
  readonly logDir: string;
  stop(): Promise<void>;
}

/** Writes Jaeger v2's config: OTLP/gRPC in, in-memory store, query API; nothing else listens. */
function jaegerConfig(dir: string, ports: { otlpGrpc: number; queryHttp: number; queryGrpc: number }): string {
  const config = {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: { metrics: { level: 'none' }, logs: { level: 'info' } },
    },
    extensions: {
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 100000 } } } },
      jaeger_query: {
        storage: { traces: 'memstore' },
        http: { endpoint: `127.0.0.1:${ports.queryHttp}` },
        grpc: { endpoint: `127.0.0.1:${ports.queryGrpc}` },
      },
    },
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${ports.otlpGrpc}` } } } },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  };
  const path = join(dir, 'jaeger.yaml');
  writeFileSync(path, JSON.stringify(config, null, 2)); // JSON is YAML
  return path;
}

async function httpOk(url: string, init?: RequestInit): Promise<boolean> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.ok;
}

function alive(proc: Managed, name: string): void {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${name} exited; see ${proc.logFile}`);
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => {});
  const dir = makeTempDir('crotel-stack-');
  const procs: { name: string; proc: Managed }[] = [];
  let cp: ControlPlane | undefined;
  let crotel: CrotelProcess | undefined;
  let simulator: Simulator | undefined;

  const stopAll = async (): Promise<void> => {
    await simulator?.stop();
    await crotel?.stop();
    // Collector before its destinations, so its last batch can still go out.
    for (const { proc } of [...procs].reverse()) await proc.stop(5000);
    await cp?.stop();
    removeTempDir(dir);
  };

  try {
    log('starting etcd + kube-apiserver');
    cp = await startControlPlane();
    await applyCrds(cp, PATHS.crd);

    // Jaeger v2: the trace store of the native stack (Tempo's role in compose).
    const [jaegerOtlp, jaegerHttp, jaegerGrpc] = [await freePort(), await freePort(), await freePort()];
    const jaeger = startProcess('jaeger', binaryPath('jaeger'), ['--config', jaegerConfig(dir, { otlpGrpc: jaegerOtlp, queryHttp: jaegerHttp, queryGrpc: jaegerGrpc })], dir);
    procs.push({ name: 'jaeger', proc: jaeger });
    const jaegerUrl = `http://127.0.0.1:${jaegerHttp}`;

    // Prometheus: the shipped config and rules, copied verbatim, with this run's scrape targets.
    const [promPort, otelHttp, otelGrpc, otelTelemetry] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const promDir = join(dir, 'prometheus');
    cpSync(PATHS.prometheusDir, promDir, { recursive: true });
    writeFileSync(join(promDir, 'targets/crotel.yml'), '[]\n'); // filled in once crotel listens
    writeFileSync(join(promDir, 'targets/otelcol.yml'), `- targets: ["127.0.0.1:${otelTelemetry}"]\n`);
    mkdirSync(join(dir, 'tsdb'));
    const prometheus = startProcess('prometheus', binaryPath('prometheus'), [
      `--config.file=${join(promDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--web.enable-otlp-receiver',
      // OTLP ingestion writes no staleness markers: a series crotel stops sending (an object's old
      // phase, a deleted object) would linger for the whole lookback (5 min by default). A short
      // lookback — above the OTLP push and scrape intervals — makes it vanish promptly.
      `--query.lookback-delta=${PROMETHEUS_LOOKBACK}`,
    ], dir);
    procs.push({ name: 'prometheus', proc: prometheus });
    const prometheusUrl = `http://127.0.0.1:${promPort}`;

    // The Collector with the shipped config; addresses through its environment variables.
    const collector = startProcess('otelcol', binaryPath('otelcol-crotel'), [`--config=${PATHS.collectorConfig}`], dir, {
      ...process.env,
      OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${otelGrpc}`,
      OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${otelHttp}`,
      OTELCOL_TELEMETRY_HOST: '127.0.0.1',
      OTELCOL_TELEMETRY_PORT: String(otelTelemetry),
      PROMETHEUS_OTLP_METRICS_ENDPOINT: `${prometheusUrl}/api/v1/otlp/v1/metrics`,
      TRACES_OTLP_GRPC_ENDPOINT: `127.0.0.1:${jaegerOtlp}`,
    });
    procs.push({ name: 'otelcol', proc: collector });
    const collectorOtlpHttp = `http://127.0.0.1:${otelHttp}`;

    log('waiting for Jaeger, Prometheus and the Collector');
    await waitFor('Jaeger query API', async () => {
      alive(jaeger, 'jaeger');
      return httpOk(`${jaegerUrl}/api/v3/services`);
    }, 60_000, 250);
    await waitFor('Prometheus ready', async () => {
      alive(prometheus, 'prometheus');
      return httpOk(`${prometheusUrl}/-/ready`);
    }, 60_000, 250);
    await waitFor('Collector OTLP/HTTP receiver', async () => {
      alive(collector, 'otelcol');
      return httpOk(`${collectorOtlpHttp}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    }, 60_000, 250);

    log('starting the simulator');
    simulator = new Simulator({
      kube: new KubeClient(loadKubeConfig({ kubeconfig: cp.kubeconfigPath })),
      count: options.instances ?? 12,
      namespaces: ['databases', 'payments'],
      speed: options.speed ?? 1,
      failureRate: options.failureRate ?? 0.1,
      seed: options.seed ?? 42,
      prefix: 'db',
    });
    await simulator.start();

    log('starting crotel');
    crotel = await startCrotel({
      args: ['--config', PATHS.crotelConfig, '--kubeconfig', cp.kubeconfigPath],
      env: {
        CROTEL_LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: collectorOtlpHttp,
        OTEL_METRIC_EXPORT_INTERVAL: String(options.exportIntervalMs ?? 5000),
        OTEL_RESOURCE_ATTRIBUTES: `k8s.cluster.name=${options.clusterName ?? 'crotel-local'},deployment.environment.name=demo`,
      },
    });

    // Prometheus's file discovery notices the rewrite (inotify) and starts scraping.
    writeFileSync(join(promDir, 'targets/crotel.yml'), `- targets: ["${new URL(crotel.url).host}"]\n`);

    return {
      cp, crotel, simulator, prometheusUrl, jaegerUrl, collectorOtlpHttp,
      collectorMetricsUrl: `http://127.0.0.1:${otelTelemetry}/metrics`,
      logDir: dir,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}
