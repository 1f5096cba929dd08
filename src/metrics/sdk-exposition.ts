// crotel's own instruments (collected by the SDK's pull reader) as Prometheus text 0.0.4 or
// OpenMetrics 1.0, named exactly as Prometheus names them when they arrive over OTLP
// (prometheus-names.ts): a dashboard or rule query works on /metrics and on the push path alike.
// Replaces @opentelemetry/exporter-prometheus' serializer, which writes `# UNIT` into 0.0.4
// (invalid there), leaves unit suffixes off, and has no OpenMetrics.
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Attributes } from '@opentelemetry/api';
import { prometheusLabelName } from '../config/index.ts';
import { escapeHelp, escapeLabelValue, formatValue, type ExpositionFormat } from './prometheus-text.ts';
import { openMetricsUnit, prometheusFamilyName, type PrometheusKind } from './prometheus-names.ts';

function labels(attributes: Attributes, extra?: [string, string]): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    parts.push(`${prometheusLabelName(key)}="${escapeLabelValue(Array.isArray(value) ? JSON.stringify(value) : String(value))}"`);
  }
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function kindOf(metric: MetricData): PrometheusKind {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return 'counter';
  return 'gauge';
}

/** `le` as OpenMetrics wants it (a canonical float: `1.0`, `+Inf`); 0.0.4 takes the same. */
function le(bound: number): string {
  if (bound === Infinity) return '+Inf';
  return Number.isInteger(bound) ? `${bound}.0` : String(bound);
}

/** Header lines of one family; `name` is the family name (counters without `_total`). */
export function headerLines(name: string, kind: PrometheusKind, help: string, unit: string, format: ExpositionFormat): string {
  if (format === 'openmetrics') {
    const omUnit = openMetricsUnit(name, unit, kind);
    return `# TYPE ${name} ${kind}\n${omUnit ? `# UNIT ${name} ${omUnit}\n` : ''}# HELP ${name} ${escapeHelp(help, format)}\n`;
  }
  // 0.0.4: the TYPE line names the sample (`_total` included for counters), as client libraries do.
  const typed = kind === 'counter' ? `${name}_total` : name;
  return `# HELP ${typed} ${escapeHelp(help, format)}\n# TYPE ${typed} ${kind}\n`;
}

function serializeMetric(metric: MetricData, format: ExpositionFormat): string {
  const kind = kindOf(metric);
  const { descriptor } = metric;
  const name = prometheusFamilyName(descriptor.name, descriptor.unit, kind);
  let out = headerLines(name, kind, descriptor.description, descriptor.unit, format);
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    for (const point of metric.dataPoints) {
      const { boundaries, counts } = point.value.buckets;
      let cumulative = 0;
      for (let i = 0; i < counts.length; i++) {
        cumulative += counts[i]!;
        out += `${name}_bucket${labels(point.attributes, ['le', le(boundaries[i] ?? Infinity)])} ${cumulative}\n`;
      }
      out += `${name}_sum${labels(point.attributes)} ${formatValue(point.value.sum ?? 0)}\n`;
      out += `${name}_count${labels(point.attributes)} ${point.value.count}\n`;
    }
    return out;
  }
  if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return ''; // crotel creates none
  const sample = kind === 'counter' ? `${name}_total` : name;
  for (const point of metric.dataPoints) out += `${sample}${labels(point.attributes)} ${formatValue(point.value as number)}\n`;
  return out;
}

/** Every metric of the SDK's collection, in one format. Families with no points are left out. */
export function serializeResourceMetrics(resourceMetrics: ResourceMetrics, format: ExpositionFormat): string {
  let out = '';
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.dataPoints.length > 0) out += serializeMetric(metric, format);
    }
  }
  return out;
}
