// The span exporter, chosen the way every OpenTelemetry SDK does it: OTEL_TRACES_EXPORTER (otlp,
// console, none — a list), the protocol from OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL (grpc,
// http/protobuf by default, http/json); endpoint, headers and TLS from the standard variables.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ConsoleSpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { readOtelEnv, type OtelSettings } from '../telemetry/env.ts';
import { otlpSpanExporter } from '../telemetry/exporters.ts';

/** Whether any span exporter is configured (traces `enabled: auto` follows this). */
export function otlpTracesEndpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return readOtelEnv(env).tracesExporters.size > 0;
}

/** Sends to every exporter; succeeds only when all of them did (the shipper then retries the batch). */
class FanOutExporter implements SpanExporter {
  private readonly exporters: readonly SpanExporter[];
  constructor(exporters: readonly SpanExporter[]) {
    this.exporters = exporters;
  }
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    void Promise.all(this.exporters.map((e) => new Promise<ExportResult>((resolve) => e.export(spans, resolve)))).then((results) => {
      done(results.find((r) => r.code !== ExportResultCode.SUCCESS) ?? { code: ExportResultCode.SUCCESS });
    });
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.shutdown()));
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.forceFlush?.()));
  }
}

export function createSpanExporter(env: NodeJS.ProcessEnv = process.env, settings: OtelSettings = readOtelEnv(env)): SpanExporter {
  const exporters: SpanExporter[] = [];
  // Default to OTLP when asked for an exporter with none configured (e.g. traces.enabled: true).
  const names = settings.tracesExporters.size > 0 ? settings.tracesExporters : new Set(['otlp'] as const);
  for (const name of names) exporters.push(name === 'console' ? new ConsoleSpanExporter() : otlpSpanExporter(settings.tracesProtocol));
  return exporters.length === 1 ? exporters[0]! : new FanOutExporter(exporters);
}
