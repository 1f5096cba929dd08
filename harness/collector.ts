// The real OpenTelemetry Collector (built by scripts/build-test-bins.sh from Go modules),
// receiving OTLP on loopback ports it picks and exporting to endpoints the test gives.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from './binaries.ts';
import { freePort, makeTempDir, removeTempDir, startProcess, waitFor, type Managed } from './processes.ts';

export interface Collector {
  /** OTLP/HTTP base endpoint, e.g. http://127.0.0.1:4318 (SDKs append /v1/traces, /v1/metrics). */
  readonly otlpHttpEndpoint: string;
  /** OTLP/gRPC endpoint, e.g. http://127.0.0.1:4317 (https:// when the receivers use TLS). */
  readonly otlpGrpcEndpoint: string;
  readonly logFile: string;
  /** Stops the Collector process but keeps its ports and config, for outage tests. */
  pause(): Promise<void>;
  /** Starts it again on the same ports. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface CollectorOptions {
  /** OTLP/HTTP JSON endpoint everything is exported to (e.g. an OtlpSink's). */
  readonly exportTo: string;
  /** How it exports (default json, what OtlpSink reads; Prometheus's OTLP receiver takes proto). */
  readonly encoding?: 'json' | 'proto';
  /** Serve both receivers over TLS with this certificate; with clientCaFile, require client certificates (mTLS). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile?: string };
}

export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const binary = binaryPath('otelcol-crotel');
  const dir = makeTempDir('crotel-otelcol-');
  const [httpPort, grpcPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  const tls = options.tls
    ? { tls: { cert_file: options.tls.certFile, key_file: options.tls.keyFile, ...(options.tls.clientCaFile ? { client_ca_file: options.tls.clientCaFile } : {}) } }
    : {};
  const config = {
    receivers: {
      otlp: { protocols: { http: { endpoint: `127.0.0.1:${httpPort}`, ...tls }, grpc: { endpoint: `127.0.0.1:${grpcPort}`, ...tls } } },
    },
    processors: { batch: { timeout: '200ms' } },
    exporters: {
      otlp_http: { endpoint: options.exportTo, encoding: options.encoding ?? 'json', compression: 'none', retry_on_failure: { enabled: true } },
    },
    service: {
      telemetry: { metrics: { level: 'none' }, logs: { level: 'info' } },
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_http'] },
        metrics: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_http'] },
      },
    },
  };
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, JSON.stringify(config)); // JSON is YAML
  void healthPort;
  const scheme = options.tls ? 'https' : 'http';
  const otlpHttpEndpoint = `${scheme}://127.0.0.1:${httpPort}`;
  const otlpGrpcEndpoint = `${scheme}://127.0.0.1:${grpcPort}`;
  const launch = async () => {
    const proc = startProcess('otelcol', binary, [`--config=${configPath}`], dir);
    await waitFor('Collector OTLP/HTTP receiver', async () => {
      if (proc.child.exitCode !== null) throw new Error(`otelcol exited, see ${proc.logFile}`);
      // With TLS the Collector's own log says when its receivers listen.
      if (options.tls) return readFileSync(proc.logFile, 'utf8').includes('Everything is ready');
      // An empty export request is a valid OTLP call: 200 once the receiver is up.
      const res = await fetch(`${otlpHttpEndpoint}/v1/traces`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
      });
      return res.ok;
    }, 30_000);
    return proc;
  };
  let proc: Managed | undefined = await launch();
  return {
    otlpHttpEndpoint,
    otlpGrpcEndpoint,
    logFile: proc.logFile,
    async pause() {
      await proc?.stop(5000);
      proc = undefined;
    },
    async resume() {
      proc ??= await launch();
    },
    async stop() {
      await proc?.stop(5000);
      removeTempDir(dir);
    },
  };
}
