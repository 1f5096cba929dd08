// Hands the object series to the OpenTelemetry SDK as precomputed points (a MetricProducer),
// instead of observable callbacks: the SDK then exports exactly the objects that exist now, so
// a deleted object's series leaves the OTLP stream too (opentelemetry-js issue 4096), and
// collection skips per-point attribute hashing and aggregation. One OTLP metric per Prometheus
// name, de-duplicated where a series may repeat: the series view /metrics reads (series-view.ts).
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality, DataPointType,
  type CollectionResult, type MetricData, type MetricProducer, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import type { ResourceStore } from '../state/store.ts';
import { SeenSeries, seriesView, type SeriesGroup } from './series-view.ts';

const SCOPE = { name: 'crotel.objects' };

function hrNow(): HrTime {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

export class ObjectMetricProducer implements MetricProducer {
  private readonly stores: () => readonly ResourceStore[];
  private readonly resource: Resource;
  private readonly startTime = hrNow();

  constructor(resource: Resource, stores: () => readonly ResourceStore[]) {
    this.resource = resource;
    this.stores = stores;
  }

  async collect(): Promise<CollectionResult> {
    return { resourceMetrics: this.snapshot(), errors: [] };
  }

  snapshot(): ResourceMetrics {
    const now = hrNow();
    type Point = { startTime: HrTime; endTime: HrTime; attributes: Attributes; value: number };
    const stores = this.stores();
    const view = seriesView(stores);
    const byGroup = new Map<SeriesGroup, { points: Point[]; seen?: SeenSeries }>();
    // One pass over the objects (not one per group, as the text format needs): OTLP does not
    // require a metric's points to be contiguous while walking.
    for (const source of stores) {
      const families = source.resource.families;
      // Per family of this store, where its points go: looked up once per store, not per sample.
      const outs = view.groupsOf(source).map((group) => {
        let out = byGroup.get(group);
        if (!out) byGroup.set(group, (out = group.mayRepeat ? { points: [], seen: new SeenSeries() } : { points: [] }));
        return out;
      });
      for (const snapshot of source.entries.values()) {
        for (const sample of snapshot.samples) {
          const family = families[sample.family]!;
          const out = outs[sample.family]!;
          if (out.seen && !out.seen.first(family, sample)) continue;
          const attributes: Attributes = {};
          const keys = family.attributeKeys;
          for (let i = 0; i < keys.length; i++) attributes[keys[i]!] = sample.attributeValues[i] ?? '';
          out.points.push({ startTime: this.startTime, endTime: now, attributes, value: sample.value });
        }
      }
    }
    const metrics: MetricData[] = [];
    for (const [{ family }, { points: dataPoints }] of byGroup) {
      if (dataPoints.length === 0) continue; // as before: a family with no series is not exported
      const descriptor = { name: family.name, description: family.description, unit: family.unit, valueType: ValueType.DOUBLE };
      metrics.push(family.instrument === 'updowncounter'
        ? { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: false, dataPoints }
        : { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints });
    }
    return { resource: this.resource, scopeMetrics: [{ scope: SCOPE, metrics }] };
  }
}
