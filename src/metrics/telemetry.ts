// The OpenTelemetry side of the process: one MeterProvider whose readers are (1) a pull reader
// for the self-metrics appended to /metrics and (2) one periodic reader per push exporter named
// by OTEL_METRICS_EXPORTER (otlp over grpc, http/protobuf or http/json; console), each carrying
// the self-metrics plus every object series (ObjectMetricProducer).
import type { Meter } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality, ConsoleMetricExporter, InstrumentType, MeterProvider, MetricReader, PeriodicExportingMetricReader,
  type PushMetricExporter, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ResourceStore } from '../state/store.ts';
import { readOtelEnv, type OtelSettings } from '../telemetry/env.ts';
import { otlpMetricExporter } from '../telemetry/exporters.ts';
import { replicaResource } from '../telemetry/resource.ts';
import { ObjectMetricProducer } from './object-producer.ts';
import { registerProcessMetrics } from './process-metrics.ts';
import { serializeResourceMetrics } from './sdk-exposition.ts';
import type { ExpositionFormat } from './prometheus-text.ts';
import { SelfMetrics } from './self-metrics.ts';

/**
 * Observable gauges are collected as delta: the SDK's cumulative processing keeps every attribute
 * set a callback ever observed and reports its last value forever, so the gauges of a kind no
 * longer watched (its CRD deleted, or moved to another version) would stay on /metrics and in
 * OTLP. A gauge has no temporality on the wire: delta only means "what the callbacks observe now".
 */
export function temporalityOf(type: InstrumentType, otherwise: AggregationTemporality): AggregationTemporality {
  return type === InstrumentType.OBSERVABLE_GAUGE ? AggregationTemporality.DELTA : otherwise;
}

/** A reader that only collects when asked (at scrape time). */
class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: (type) => temporalityOf(type, AggregationTemporality.CUMULATIVE) });
  }

  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Number of data points in a collection: what a failed export did not deliver. */
export function pointCount(metrics: ResourceMetrics): number {
  let n = 0;
  for (const scope of metrics.scopeMetrics) for (const m of scope.metrics) n += m.dataPoints.length;
  return n;
}

/** Reports failed exports (with what they carried), then the result as the wrapped exporter did. */
class CountingExporter implements PushMetricExporter {
  private readonly inner: PushMetricExporter;
  private readonly onFailure: (error: Error | undefined, points: number) => void;
  constructor(inner: PushMetricExporter, onFailure: (error: Error | undefined, points: number) => void) {
    this.inner = inner;
    this.onFailure = onFailure;
  }
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.inner.export(metrics, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.onFailure(result.error, pointCount(metrics));
      done(result);
    });
  }
  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return temporalityOf(type, this.inner.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE);
  }
  forceFlush(): Promise<void> { return this.inner.forceFlush(); }
  shutdown(): Promise<void> { return this.inner.shutdown(); }
}

/** Whether metrics are pushed over OTLP (OTEL_METRICS_EXPORTER, or an endpoint given). */
export function otlpMetricsEndpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return readOtelEnv(env).metricsExporters.has('otlp');
}

export interface Telemetry {
  readonly self: SelfMetrics;
  /** crotel's meter, for instruments owned by other folders (e.g. lifecycle metrics). */
  readonly meter: Meter;
  readonly resource: Resource;
  readonly objectProducer: ObjectMetricProducer;
  readonly otlpEnabled: boolean;
  readonly settings: OtelSettings;
  /** Self-metrics in Prometheus text 0.0.4 (default) or OpenMetrics, for the tail of /metrics. */
  selfExposition(format?: ExpositionFormat): Promise<string>;
  /** Pushes pending metrics now; gives up (resolving false) after deadlineMs. */
  flush(deadlineMs?: number): Promise<boolean>;
  /** Final export and shutdown of the readers; gives up (resolving false) after deadlineMs. */
  shutdown(deadlineMs?: number): Promise<boolean>;
}

export interface TelemetryOptions {
  readonly version: string;
  readonly stores: () => readonly ResourceStore[];
  readonly env?: NodeJS.ProcessEnv;
  /** The OTEL_* settings, when already read (pipeline/settings.ts); default read from `env`. */
  readonly settings?: OtelSettings;
  /** Source revision for crotel_build_info, when known. */
  readonly revision?: string;
  /** A push export failed: `points` data points were not delivered. */
  readonly onExportFailed?: (exporter: string, error: Error | undefined, points: number) => void;
}

/** Resolves true when `work` settles within `ms`, false when the deadline came first. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([work.then(() => true, () => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const settings = options.settings ?? readOtelEnv(env);
  const resource = replicaResource(options.version, env);
  const objectProducer = new ObjectMetricProducer(resource, options.stores);
  const pull = new PullReader();
  const readers: MetricReader[] = [pull];
  // The exporters exist before the MeterProvider that creates the self-metrics they report to.
  const exportFailed = { report: (_exporter: string, _error: Error | undefined, _points: number): void => {} };
  for (const name of settings.metricsExporters) {
    if (name === 'prometheus') continue; // the /metrics endpoint, always served
    const inner = name === 'otlp' ? otlpMetricExporter(settings.metricsProtocol) : new ConsoleMetricExporter();
    const label = name === 'otlp' ? `otlp ${settings.metricsProtocol}` : name;
    readers.push(new PeriodicExportingMetricReader({
      exporter: new CountingExporter(inner, (error, points) => exportFailed.report(label, error, points)),
      exportIntervalMillis: settings.metricExportIntervalMs,
      exportTimeoutMillis: settings.metricExportTimeoutMs,
      metricProducers: [objectProducer],
    }));
  }
  const provider = new MeterProvider({ resource, readers });
  const meter = provider.getMeter('crotel');
  const self = new SelfMetrics(meter);
  registerProcessMetrics(meter, { version: options.version, ...(options.revision ? { revision: options.revision } : {}) });
  exportFailed.report = (exporter, error, points) => {
    self.exportFailed('metrics');
    options.onExportFailed?.(exporter, error, points);
  };
  return {
    self,
    meter,
    resource,
    objectProducer,
    otlpEnabled: settings.metricsExporters.has('otlp'),
    settings,
    async selfExposition(format: ExpositionFormat = 'text') {
      const { resourceMetrics } = await pull.collect();
      return serializeResourceMetrics(resourceMetrics, format);
    },
    flush: (deadlineMs = 30_000) => within(provider.forceFlush(), deadlineMs),
    shutdown: (deadlineMs = 30_000) => within(provider.shutdown(), deadlineMs),
  };
}
