// The official OTLP exporters, one per protocol and signal, chosen by the settings read from
// OTEL_EXPORTER_OTLP_[SIGNAL_]PROTOCOL. Each exporter reads its endpoint, headers, timeout,
// compression and TLS files (OTEL_EXPORTER_OTLP_[SIGNAL_]CERTIFICATE, _CLIENT_KEY,
// _CLIENT_CERTIFICATE, _INSECURE for grpc) from the environment itself, as in every SDK.
//
// Each exporter package is loaded when a run first asks for it, not at start: the six together
// cost ~24 MiB of RSS more than the http/protobuf pair a default run uses (gRPC alone ~20 MiB),
// and a process that only serves /metrics needs none of them (bench/results/HISTORY.md).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as MetricsGrpc from '@opentelemetry/exporter-metrics-otlp-grpc';
import type * as MetricsJson from '@opentelemetry/exporter-metrics-otlp-http';
import type * as MetricsProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as TracesGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as TracesJson from '@opentelemetry/exporter-trace-otlp-http';
import type * as TracesProto from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpProtocol } from './env.ts';

const requireModule = createRequire(import.meta.url);

/**
 * Loads a package synchronously by its ES module entry (require(esm), Node ≥ 22.12), so that it
 * shares the @opentelemetry/* instances the rest of crotel imports; the package's `require`
 * condition would load a second, CommonJS copy of each.
 */
function load<T>(specifier: string): T {
  return requireModule(fileURLToPath(import.meta.resolve(specifier))) as T;
}

export function otlpMetricExporter(protocol: OtlpProtocol): PushMetricExporter {
  switch (protocol) {
    case 'grpc': return new (load<typeof MetricsGrpc>('@opentelemetry/exporter-metrics-otlp-grpc').OTLPMetricExporter)();
    case 'http/json': return new (load<typeof MetricsJson>('@opentelemetry/exporter-metrics-otlp-http').OTLPMetricExporter)();
    case 'http/protobuf': return new (load<typeof MetricsProto>('@opentelemetry/exporter-metrics-otlp-proto').OTLPMetricExporter)();
  }
}

export function otlpSpanExporter(protocol: OtlpProtocol): SpanExporter {
  switch (protocol) {
    case 'grpc': return new (load<typeof TracesGrpc>('@opentelemetry/exporter-trace-otlp-grpc').OTLPTraceExporter)();
    case 'http/json': return new (load<typeof TracesJson>('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter)();
    case 'http/protobuf': return new (load<typeof TracesProto>('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter)();
  }
}
