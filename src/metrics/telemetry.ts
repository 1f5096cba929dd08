// The OpenTelemetry side of the process: one MeterProvider whose readers are (1) a pull reader
// for the self-metrics appended to /metrics and (2), when an OTLP endpoint is configured, a
// periodic OTLP/HTTP exporter carrying the self-metrics plus every object series.
import type { Meter } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality, MeterProvider, MetricReader, PeriodicExportingMetricReader,
  type InstrumentType, type PushMetricExporter, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ResourceStore } from '../state/store.ts';
import { ObjectMetricProducer } from './object-producer.ts';
import { SelfMetrics } from './self-metrics.ts';

/** A reader that only collects when asked (at scrape time). */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Counts failed exports, then reports the result as the wrapped exporter did. */
class CountingExporter implements PushMetricExporter {
  private readonly inner: PushMetricExporter;
  private readonly onFailure: () => void;
  constructor(inner: PushMetricExporter, onFailure: () => void) {
    this.inner = inner;
    this.onFailure = onFailure;
  }
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.inner.export(metrics, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.onFailure();
      done(result);
    });
  }
  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE;
  }
  forceFlush(): Promise<void> { return this.inner.forceFlush(); }
  shutdown(): Promise<void> { return this.inner.shutdown(); }
}

export function otlpMetricsEndpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT) &&
    (env.OTEL_METRICS_EXPORTER ?? 'otlp') !== 'none';
}

export function serviceResource(version: string): Resource {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over our defaults, as in every SDK.
  return resourceFromAttributes({ 'service.name': 'crotel', 'service.version': version })
    .merge(detectResources({ detectors: [envDetector] }));
}

export interface Telemetry {
  readonly self: SelfMetrics;
  /** crotel's meter, for instruments owned by other folders (e.g. lifecycle metrics). */
  readonly meter: Meter;
  readonly resource: Resource;
  readonly objectProducer: ObjectMetricProducer;
  readonly otlpEnabled: boolean;
  /** Self-metrics in Prometheus text, for the tail of /metrics. */
  selfExposition(): Promise<string>;
  /** Pushes pending OTLP metrics now. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function createTelemetry(options: { version: string; stores: () => readonly ResourceStore[]; env?: NodeJS.ProcessEnv }): Telemetry {
  const env = options.env ?? process.env;
  const resource = serviceResource(options.version);
  const objectProducer = new ObjectMetricProducer(resource, options.stores);
  const pull = new PullReader();
  const readers: MetricReader[] = [pull];
  // The exporter exists before the MeterProvider that creates the self-metrics it reports to.
  const exportFailed = { report: (): void => {} };
  const otlpEnabled = otlpMetricsEndpointConfigured(env);
  if (otlpEnabled) {
    readers.push(new PeriodicExportingMetricReader({
      // The exporter reads OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT/HEADERS/TIMEOUT itself.
      exporter: new CountingExporter(new OTLPMetricExporter(), () => exportFailed.report()),
      exportIntervalMillis: Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000),
      metricProducers: [objectProducer],
    }));
  }
  const provider = new MeterProvider({ resource, readers });
  const self = new SelfMetrics(provider.getMeter('crotel'));
  exportFailed.report = () => self.exportFailed('metrics');
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  return {
    self,
    meter: provider.getMeter('crotel'),
    resource,
    objectProducer,
    otlpEnabled,
    async selfExposition() {
      const { resourceMetrics } = await pull.collect();
      return serializer.serialize(resourceMetrics);
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
