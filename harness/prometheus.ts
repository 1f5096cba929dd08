// A real Prometheus with the SHIPPED prometheus/ directory (prometheus.yml: OTLP translation and
// promoted resource attributes, rules/), copied verbatim into a temporary folder; only the scrape
// targets (targets/*.yml, file discovery) are this run's. The OTLP receiver is on, and the
// lookback is short, as in examples/demo/stack.ts (see PROMETHEUS_LOOKBACK there).
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from './binaries.ts';
import { freePort, makeTempDir, removeTempDir, startProcess, waitFor } from './processes.ts';

const SHIPPED_DIR = new URL('../prometheus/', import.meta.url).pathname;

export interface Prometheus {
  /** http://127.0.0.1:port (UI and API). */
  readonly url: string;
  /** The OTLP/HTTP base a Collector's otlp_http exporter appends /v1/metrics to. */
  readonly otlpEndpoint: string;
  readonly logFile: string;
  /** Replaces targets/<job file>.yml (crotel.yml: job crotel-scrape; otelcol.yml: job otelcol). */
  setTargets(file: 'crotel' | 'otelcol', hostPorts: readonly string[]): void;
  /** GET an API path; throws unless status is success. */
  api<T>(path: string): Promise<T>;
  /** An instant query's vector (a scalar comes back as one sample without labels). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: { lookback?: string } = {}): Promise<Prometheus> {
  const dir = makeTempDir('crotel-prometheus-');
  const configDir = join(dir, 'config');
  cpSync(SHIPPED_DIR, configDir, { recursive: true });
  const setTargets = (file: 'crotel' | 'otelcol', hostPorts: readonly string[]): void => {
    writeFileSync(join(configDir, `targets/${file}.yml`), hostPorts.length === 0 ? '[]\n' : `- targets: ${JSON.stringify(hostPorts)}\n`);
  };
  setTargets('crotel', []);
  setTargets('otelcol', []);
  mkdirSync(join(dir, 'tsdb'));
  const port = await freePort();
  const proc = startProcess('prometheus', binaryPath('prometheus'), [
    `--config.file=${join(configDir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-otlp-receiver',
    `--query.lookback-delta=${options.lookback ?? '30s'}`,
  ], dir);
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(url + path, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  };
  try {
    await waitFor('Prometheus ready', async () => {
      if (proc.child.exitCode !== null) throw new Error(`prometheus exited, see ${proc.logFile}`);
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return res.ok;
    }, 60_000, 250);
  } catch (error) {
    await proc.stop(5000);
    throw error;
  }
  return {
    url,
    otlpEndpoint: `${url}/api/v1/otlp`,
    logFile: proc.logFile,
    setTargets,
    api,
    async query(expr) {
      const data = await api<{ resultType: string; result: unknown }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
      return data.result as { metric: Record<string, string>; value: [number, string] }[];
    },
    async stop() {
      await proc.stop(5000);
      removeTempDir(dir);
    },
  };
}
