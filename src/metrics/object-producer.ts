// Hands the object series to the OpenTelemetry SDK as precomputed points (a MetricProducer),
// instead of observable callbacks: the SDK then exports exactly the objects that exist now, so
// a deleted object's series leaves the OTLP stream too (opentelemetry-js issue 4096), and
// collection skips per-point attribute hashing and aggregation.
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality, DataPointType,
  type CollectionResult, type MetricData, type MetricProducer, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import type { MetricFamily } from '../model.ts';
import type { ResourceStore } from '../state/store.ts';
import { sameObjectsTwice } from './exposition.ts';

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
    const byName = new Map<string, { family: MetricFamily; points: Point[]; seen?: Set<string> }>();
    const stores = this.stores();
    const twice = sameObjectsTwice(stores.map((store) => ({ store }))) || stores.some((store) => store.identityAltered > 0);
    for (const store of stores) {
      const families = store.resource.families;
      const keyIds = families.map((f) => f.attributeKeys.join('\u0001'));
      for (const snapshot of store.entries.values()) {
        for (const sample of snapshot.samples) {
          const family = families[sample.family]!;
          let group = byName.get(family.name);
          if (!group) byName.set(family.name, (group = { family, points: [] }));
          if (family.seriesMayRepeat || twice) {
            // Two objects may produce this series: export it once, as /metrics does.
            const key = `${keyIds[sample.family]!}\u0000${sample.attributeValues.join('\u0001')}`;
            group.seen ??= new Set();
            if (group.seen.has(key)) continue;
            group.seen.add(key);
          }
          const attributes: Attributes = {};
          const keys = family.attributeKeys;
          for (let i = 0; i < keys.length; i++) attributes[keys[i]!] = sample.attributeValues[i] ?? '';
          group.points.push({ startTime: this.startTime, endTime: now, attributes, value: sample.value });
        }
      }
    }
    const metrics: MetricData[] = [];
    for (const { family, points: dataPoints } of byName.values()) {
      const descriptor = { name: family.name, description: family.description, unit: family.unit, valueType: ValueType.DOUBLE };
      metrics.push(family.instrument === 'updowncounter'
        ? { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: false, dataPoints }
        : { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints });
    }
    return { resource: this.resource, scopeMetrics: [{ scope: SCOPE, metrics }] };
  }
}
