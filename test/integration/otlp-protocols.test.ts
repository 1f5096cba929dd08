// crotel's metric pipeline (createTelemetry: self-metrics, process metrics, object producer) and
// span pipeline (createSpanExporter → SpanShipper) over every OTLP protocol, configured only by
// the standard variables, into the real Collector — plain, TLS, and mTLS receivers — and out of
// it into a sink. The exporters read the OTEL_* variables from process.env, so each case sets
// them and builds its pipelines afresh.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTelemetry } from '../../src/metrics/telemetry.ts';
import { createSpanExporter, SpanShipper } from '../../src/traces/index.ts';
import { createPki, issueClientCert } from '../../harness/certs.ts';
import { startCollector, type Collector } from '../../harness/collector.ts';
import { attributesOf, startOtlpSink, type OtlpSink } from '../../harness/otlp-sink.ts';
import { makeTempDir, removeTempDir, waitFor } from '../../harness/processes.ts';

let sink: OtlpSink;
let plain: Collector;
let tls: Collector;
let mtls: Collector;
let pkiDir: string;
let ca: string;
let clientCert: string;
let clientKey: string;

before(async () => {
  sink = await startOtlpSink();
  pkiDir = makeTempDir('crotel-otlp-pki-');
  const pki = createPki(pkiDir);
  issueClientCert(pkiDir, 'crotel-client');
  ca = pki.caCert;
  clientCert = join(pkiDir, 'crotel-client.crt');
  clientKey = join(pkiDir, 'crotel-client.key');
  [plain, tls, mtls] = await Promise.all([
    startCollector({ exportTo: sink.endpoint }),
    startCollector({ exportTo: sink.endpoint, tls: { certFile: pki.servingCert, keyFile: pki.servingKey } }),
    startCollector({ exportTo: sink.endpoint, tls: { certFile: pki.servingCert, keyFile: pki.servingKey, clientCaFile: pki.caCert } }),
  ]);
});
after(async () => {
  await Promise.all([plain?.stop(), tls?.stop(), mtls?.stop()]);
  await sink?.close();
  if (pkiDir) removeTempDir(pkiDir);
});

const OTEL_KEYS = (env: NodeJS.ProcessEnv) => Object.keys(env).filter((k) => k.startsWith('OTEL_'));

/** Runs both signals with exactly `vars` as the OTEL_* environment; returns the case's marker. */
async function pushBoth(vars: Record<string, string>): Promise<string> {
  for (const k of OTEL_KEYS(process.env)) delete process.env[k];
  const marker = randomBytes(6).toString('hex');
  Object.assign(process.env, vars, { OTEL_RESOURCE_ATTRIBUTES: `test.case=${marker}` });
  const telemetry = createTelemetry({ version: 'test', stores: () => [] });
  const shipper = new SpanShipper({ exporter: createSpanExporter(), resource: telemetry.resource, maxQueue: 100, onDropped: () => {} });
  const now = Date.now();
  shipper.enqueue({
    traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: `case-${marker}`,
    startMs: now - 10, endMs: now, attributes: {}, status: 'ok', events: [],
  });
  assert.equal(await telemetry.flush(10_000), true, 'metrics flush completed');
  await shipper.shutdown(10_000);
  await telemetry.shutdown(5000);
  return marker;
}

function metricsOf(marker: string): string[] {
  return sink.metrics.flatMap((m) => m.resourceMetrics ?? [])
    .filter((rm) => attributesOf(rm.resource?.attributes)['test.case'] === marker)
    .flatMap((rm) => rm.scopeMetrics ?? []).flatMap((s) => s.metrics ?? []).map((m) => m.name);
}

async function expectArrived(marker: string, label: string): Promise<void> {
  await waitFor(`${label}: span through the Collector`, async () => sink.spans().some((s) => s.name === `case-${marker}`), 15_000);
  await waitFor(`${label}: metrics through the Collector`, async () => metricsOf(marker).includes('crotel.build_info'), 15_000);
  const names = metricsOf(marker);
  for (const expected of ['process.cpu', 'process.resident_memory', 'crotel.build_info']) assert.ok(names.includes(expected), `${label}: ${expected} in ${names.join(', ')}`);
}

const ENDPOINT_OF = {
  grpc: (c: Collector) => c.otlpGrpcEndpoint,
  'http/protobuf': (c: Collector) => c.otlpHttpEndpoint,
  'http/json': (c: Collector) => c.otlpHttpEndpoint,
} as const;

for (const protocol of ['grpc', 'http/protobuf', 'http/json'] as const) {
  test(`${protocol}: both signals, chosen by OTEL_EXPORTER_OTLP_PROTOCOL (protocol names case-insensitive)`, async () => {
    const marker = await pushBoth({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT_OF[protocol](plain), OTEL_EXPORTER_OTLP_PROTOCOL: protocol.toUpperCase() });
    await expectArrived(marker, protocol);
  });

  test(`${protocol}: TLS receiver, CA from OTEL_EXPORTER_OTLP_CERTIFICATE`, async () => {
    const marker = await pushBoth({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT_OF[protocol](tls), OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_CERTIFICATE: ca });
    await expectArrived(marker, `${protocol} tls`);
  });

  test(`${protocol}: mTLS receiver, client key and chain from OTEL_EXPORTER_OTLP_CLIENT_KEY / _CLIENT_CERTIFICATE`, async () => {
    const marker = await pushBoth({
      OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT_OF[protocol](mtls), OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_CERTIFICATE: ca, OTEL_EXPORTER_OTLP_CLIENT_KEY: clientKey, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: clientCert,
    });
    await expectArrived(marker, `${protocol} mtls`);
  });
}

test('per-signal protocols: metrics over grpc and traces over http/json at the same time', async () => {
  const marker = await pushBoth({
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: plain.otlpGrpcEndpoint, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${plain.otlpHttpEndpoint}/v1/traces`, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
  });
  await expectArrived(marker, 'mixed');
});

test('mTLS receiver without a client certificate: nothing arrives, the failure is counted', async () => {
  for (const k of OTEL_KEYS(process.env)) delete process.env[k];
  const marker = randomBytes(6).toString('hex');
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: mtls.otlpHttpEndpoint, OTEL_EXPORTER_OTLP_CERTIFICATE: ca, OTEL_RESOURCE_ATTRIBUTES: `test.case=${marker}`, OTEL_EXPORTER_OTLP_TIMEOUT: '2000' });
  const failures: number[] = [];
  const telemetry = createTelemetry({ version: 'test', stores: () => [], onExportFailed: (_e, _err, points) => failures.push(points) });
  await telemetry.flush(8000);
  await telemetry.shutdown(3000);
  assert.ok(failures.length > 0 && failures[0]! > 0, `export failures reported with their points: ${JSON.stringify(failures)}`);
  assert.deepEqual(metricsOf(marker), []);
});
