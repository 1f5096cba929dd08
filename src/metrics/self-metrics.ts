// crotel's own health, as OpenTelemetry instruments in the same pipeline as the object series
// (so it reaches /metrics and OTLP alike). Attribute values are resource ids and metric names
// from the config, never object contents: bounded cardinality. The 0/1 gauges carry no unit: with
// unit `1` Prometheus' OTLP translation would call them `…_ratio`, which they are not.
import type { Meter } from '@opentelemetry/api';

export interface ResourceGauges {
  objects(): number;
  watching(): boolean;
  synced(): boolean;
}

/** Distinct (resource, path) series of crotel_extraction_errors_total. */
export const MAX_ERROR_SERIES = 1000;
const MAX_PATH_LABEL = 128;

/** `status.conditions[12].status` → `status.conditions[*].status`; `a["postgres://…"]` → `a[*]`. */
export function errorPathLabel(path: string): string {
  const folded = path.replace(/\[(?:\d+|"(?:[^"\\]|\\.)*")\]/g, '[*]');
  return folded.length > MAX_PATH_LABEL ? `${folded.slice(0, MAX_PATH_LABEL - 1)}…` : folded;
}

export class SelfMetrics {
  private readonly lists;
  private readonly listDuration;
  private readonly watchStarts;
  private readonly relists;
  private readonly reflectorErrors;
  private readonly invalidObjects;
  private readonly extractionErrors;
  private readonly seriesDropped;
  private readonly seriesRejected;
  private readonly errorPaths = new Set<string>();
  private readonly exportFailures;
  private readonly unhandled;
  private readonly spansDropped;
  private readonly spansExported;
  private readonly objectsDropped;
  private readonly gauges = new Map<string, ResourceGauges>();
  private readonly meter: Meter;

  constructor(meter: Meter) {
    this.meter = meter;
    this.lists = meter.createCounter('crotel.list.starts', { description: 'List (and relist) calls started, per watched resource', unit: '{list}' });
    this.listDuration = meter.createHistogram('crotel.list.duration', {
      description: 'Duration of a complete paginated list',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] },
    });
    this.watchStarts = meter.createCounter('crotel.watch.starts', { description: 'Watch connections opened, per watched resource', unit: '{watch}' });
    this.relists = meter.createCounter('crotel.relists', { description: 'Relists forced by an expired resourceVersion (410 Gone) or a vanished CRD', unit: '{list}' });
    this.reflectorErrors = meter.createCounter('crotel.reflector.errors', { description: 'Errors in discovery, list, watch, decoding or handlers, per resource and stage', unit: '{error}' });
    this.invalidObjects = meter.createCounter('crotel.objects.invalid', { description: 'Objects skipped because they could not be read at all (no uid, not an object)', unit: '{object}' });
    this.extractionErrors = meter.createCounter('crotel.extraction.errors', { description: 'Fields that could not be turned into a value or label, per resource and path', unit: '{error}' });
    this.seriesDropped = meter.createCounter('crotel.series.dropped', { description: 'Series dropped by a per-metric cardinality limit', unit: '{series}' });
    this.seriesRejected = meter.createCounter('crotel.series.rejected', { description: 'Series dropped because they could not be exported validly (label name from the object invalid or duplicated, or the same series twice from one object), per resource and reason', unit: '{series}' });
    this.exportFailures = meter.createCounter('crotel.export.failures', { description: 'Failed OTLP exports, per signal', unit: '{export}' });
    this.spansDropped = meter.createCounter('crotel.spans.dropped', { description: 'Lifecycle spans dropped: queue full during a Collector outage (queue_full), left at shutdown, or a follower\'s hold full while no leader reported (handover_full)', unit: '{span}' });
    this.spansExported = meter.createCounter('crotel.spans.exported', { description: 'Lifecycle spans accepted by the OTLP endpoint', unit: '{span}' });
    this.objectsDropped = meter.createCounter('crotel.objects.dropped', { description: 'New objects not held because their kind (kind_limit) or the process (total_limit) was at its object limit; counted per add or update refused', unit: '{object}' });
    this.unhandled = meter.createCounter('crotel.internal.errors', { description: 'Unexpected errors caught at the process level (would have crashed Node)', unit: '{error}' });

    const objects = meter.createObservableGauge('crotel.objects', { description: 'Objects held in the cache, per watched resource', unit: '{object}' });
    const watchUp = meter.createObservableGauge('crotel.watch.up', { description: '1 while the watch of a resource is connected' });
    const synced = meter.createObservableGauge('crotel.resource.synced', { description: '1 once a resource has been listed completely' });
    meter.addBatchObservableCallback((observer) => {
      for (const [resource, g] of this.gauges) {
        observer.observe(objects, g.objects(), { 'crotel.resource': resource });
        observer.observe(watchUp, g.watching() ? 1 : 0, { 'crotel.resource': resource });
        observer.observe(synced, g.synced() ? 1 : 0, { 'crotel.resource': resource });
      }
    }, [objects, watchUp, synced]);
  }

  /**
   * The span queue's depth (spans not yet acknowledged by the endpoint) and, with leader election,
   * the spans a follower holds until the Lease says whose they are: both drain to 0 when all is shipped.
   */
  trackSpanQueue(pending: () => number, held?: () => number): void {
    this.meter.createObservableGauge('crotel.spans.queued', { description: 'Lifecycle spans not yet accepted by the OTLP endpoint (queued or being exported)', unit: '{span}' })
      .addCallback((result) => result.observe(pending()));
    if (held) {
      this.meter.createObservableGauge('crotel.spans.held', { description: 'Lifecycle spans a replica holds until leader election says whose they are (traces/handover.ts)', unit: '{span}' })
        .addCallback((result) => result.observe(held()));
    }
  }

  /** Registers the live gauges of one reflected collection (resource id + namespace). */
  track(resource: string, gauges: ResourceGauges): void {
    this.gauges.set(resource, gauges);
  }

  /** Forgets a collection no longer watched (its kind's CRD was deleted). */
  untrack(resource: string): void {
    this.gauges.delete(resource);
  }

  objectDropped(resource: string, reason: string): void { this.objectsDropped.add(1, { 'crotel.resource': resource, reason }); }
  listStarted(resource: string): void { this.lists.add(1, { 'crotel.resource': resource }); }
  listCompleted(resource: string, seconds: number): void { this.listDuration.record(seconds, { 'crotel.resource': resource }); }
  watchStarted(resource: string): void { this.watchStarts.add(1, { 'crotel.resource': resource }); }
  relist(resource: string, reason: string): void { this.relists.add(1, { 'crotel.resource': resource, reason }); }
  reflectorError(resource: string, stage: string): void { this.reflectorErrors.add(1, { 'crotel.resource': resource, stage }); }
  invalidObject(resource: string): void { this.invalidObjects.add(1, { 'crotel.resource': resource }); }
  extractionError(resource: string, path: string): void {
    // The path label is bounded: indexes and map keys (object data) folded to [*], capped, and a
    // fixed number of distinct (resource, path) series, past which errors count under "(other)".
    let label = errorPathLabel(path);
    const key = `${resource}\u0000${label}`;
    if (!this.errorPaths.has(key)) {
      if (this.errorPaths.size >= MAX_ERROR_SERIES) label = '(other)';
      else this.errorPaths.add(key);
    }
    this.extractionErrors.add(1, { 'crotel.resource': resource, path: label });
  }
  seriesRejectedFor(resource: string, reason: string): void { this.seriesRejected.add(1, { 'crotel.resource': resource, reason }); }
  dropped(metric: string, count: number): void { this.seriesDropped.add(count, { metric }); }
  exportFailed(signal: string): void { this.exportFailures.add(1, { signal }); }
  internalError(): void { this.unhandled.add(1); }
  spanDrops(reason: string, count: number): void { this.spansDropped.add(count, { reason }); }
  spansSent(count: number): void { this.spansExported.add(count); }
}
