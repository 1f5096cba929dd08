// The OTLP exporter packages load only for the protocol a run uses (src/telemetry/exporters.ts):
// a child process records every package it loads while it builds crotel's telemetry with the
// given environment.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const TELEMETRY = new URL('../../src/metrics/telemetry.ts', import.meta.url).href;
const SPANS = new URL('../../src/traces/exporter.ts', import.meta.url).href;

/** The @opentelemetry/exporter-* packages a process loaded while creating telemetry and a span exporter under `env`. */
function exportersLoaded(env: Record<string, string>, withSpans: boolean): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ load(url, context, next) { const m = /node_modules\\/(@opentelemetry\\/exporter-[^/]+)/.exec(url); if (m) seen.add(m[1]); return next(url, context); } });
    const { createTelemetry } = await import(${JSON.stringify(TELEMETRY)});
    const telemetry = createTelemetry({ version: 't', stores: () => [] });
    if (${withSpans}) { const { createSpanExporter } = await import(${JSON.stringify(SPANS)}); createSpanExporter(); }
    void telemetry;
    process.stdout.write(JSON.stringify([...seen].sort()));
    process.exit(0);
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

test('only /metrics (no push): no OTLP exporter package is loaded', () => {
  assert.deepEqual(exportersLoaded({ OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' }, false), []);
});

test('OTLP over http/protobuf (the default): only the protobuf exporters (and the metric exporters\' shared base), not gRPC', () => {
  assert.deepEqual(
    exportersLoaded({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, true),
    // the metric exporters of every protocol build on exporter-metrics-otlp-http's base class
    ['@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/exporter-metrics-otlp-proto', '@opentelemetry/exporter-trace-otlp-proto'],
  );
});

test('OTLP over gRPC: only the gRPC exporters', () => {
  assert.deepEqual(
    exportersLoaded({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, true),
    ['@opentelemetry/exporter-metrics-otlp-grpc', '@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/exporter-trace-otlp-grpc'],
  );
});
