// The official OTLP exporters, one per protocol and signal, chosen by the settings read from
// OTEL_EXPORTER_OTLP_[SIGNAL_]PROTOCOL. Each exporter reads its endpoint, headers, timeout,
// compression and TLS files (OTEL_EXPORTER_OTLP_[SIGNAL_]CERTIFICATE, _CLIENT_KEY,
// _CLIENT_CERTIFICATE, _INSECURE for grpc) from the environment itself, as in every SDK.
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TracesGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TracesJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpProtocol } from './env.ts';

export function otlpMetricExporter(protocol: OtlpProtocol): PushMetricExporter {
  switch (protocol) {
    case 'grpc': return new MetricsGrpc();
    case 'http/json': return new MetricsJson();
    case 'http/protobuf': return new MetricsProto();
  }
}

export function otlpSpanExporter(protocol: OtlpProtocol): SpanExporter {
  switch (protocol) {
    case 'grpc': return new TracesGrpc();
    case 'http/json': return new TracesJson();
    case 'http/protobuf': return new TracesProto();
  }
}
