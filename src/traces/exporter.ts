// The OTLP span exporter, chosen the way every OpenTelemetry SDK does it: endpoint, headers and
// protocol from the standard OTEL_EXPORTER_OTLP_* variables (http/protobuf by default).
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export function otlpTracesEndpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT) &&
    (env.OTEL_TRACES_EXPORTER ?? 'otlp') !== 'none';
}

export function createSpanExporter(env: NodeJS.ProcessEnv = process.env): SpanExporter {
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol === 'http/json') return new JsonExporter();
  if (protocol === 'http/protobuf') return new ProtoExporter();
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol}: crotel sends traces over http/protobuf or http/json`);
}
