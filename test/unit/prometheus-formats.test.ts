// /metrics naming and formats: names as Prometheus' OTLP receiver translates them, Accept and
// Accept-Encoding negotiation, and the self-metrics serializer in both formats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { prometheusFamilyName } from '../../src/metrics/prometheus-names.ts';
import { serializeResourceMetrics } from '../../src/metrics/sdk-exposition.ts';
import { acceptsGzip, negotiateFormat } from '../../src/server/negotiate.ts';

const names: [string, string, 'gauge' | 'counter' | 'histogram', string][] = [
  ['crotel.episode.duration', 's', 'histogram', 'crotel_episode_duration_seconds'],
  ['crotel.list.starts', '{list}', 'counter', 'crotel_list_starts'],
  ['crotel.watch.up', '1', 'gauge', 'crotel_watch_up_ratio'],
  ['crotel.relists', '1', 'counter', 'crotel_relists'],
  ['process.resident_memory', 'By', 'gauge', 'process_resident_memory_bytes'],
  ['backup.age_seconds', 's', 'gauge', 'backup_age_seconds'],
  ['speed', 'm/s', 'gauge', 'speed_meters_per_second'],
  ['rate', '{req}/s', 'gauge', 'rate_per_second'],
  ['requests.total', '', 'counter', 'requests'],
  ['latency', 'ms', 'histogram', 'latency_milliseconds'],
];
for (const [name, unit, kind, expected] of names) {
  test(`name: ${name} [${unit}] ${kind} → ${expected}`, () => assert.equal(prometheusFamilyName(name, unit, kind), expected));
}

const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';
const accepts: [string, string | undefined, 'text' | 'openmetrics'][] = [
  ['no header', undefined, 'text'],
  ['curl */*', '*/*', 'text'],
  ['Prometheus 3 default', PROMETHEUS_ACCEPT, 'openmetrics'],
  ['text only', 'text/plain;version=0.0.4', 'text'],
  ['openmetrics only', 'application/openmetrics-text', 'openmetrics'],
  ['openmetrics 2.0 only is not ours', 'application/openmetrics-text;version=2.0.0', 'text'],
  ['text preferred', 'application/openmetrics-text;q=0.2,text/plain;q=0.9', 'text'],
];
for (const [name, header, expected] of accepts) test(`Accept: ${name} → ${expected}`, () => assert.equal(negotiateFormat(header), expected));

const encodings: [string | undefined, boolean][] = [
  [undefined, false], ['gzip', true], ['identity', false], ['gzip;q=0', false], ['br, gzip;q=0.5', true], ['*', true], ['*, gzip;q=0', false],
];
for (const [header, expected] of encodings) test(`Accept-Encoding: ${header} → gzip ${expected}`, () => assert.equal(acceptsGzip(header), expected));

class Pull extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function sample(): Promise<Awaited<ReturnType<Pull['collect']>>['resourceMetrics']> {
  const reader = new Pull();
  const meter = new MeterProvider({ readers: [reader] }).getMeter('t');
  meter.createHistogram('crotel.episode.duration', { unit: 's', description: 'How long "episodes" last', advice: { explicitBucketBoundaries: [1, 2.5] } })
    .record(2, { 'k8s.object.kind': 'DatabaseInstance' });
  meter.createCounter('crotel.list.starts', { unit: '{list}', description: 'Lists' }).add(3, { 'crotel.resource': 'a' });
  meter.createObservableGauge('crotel.watch.up', { unit: '1', description: 'Up' }).addCallback((r) => r.observe(1));
  return (await reader.collect()).resourceMetrics;
}

test('text 0.0.4: unit-suffixed names, counters _total, cumulative buckets, no UNIT line', async () => {
  const text = serializeResourceMetrics(await sample(), 'text');
  assert.doesNotMatch(text, /^# UNIT/m);
  assert.match(text, /^# TYPE crotel_episode_duration_seconds histogram$/m);
  assert.match(text, /^crotel_episode_duration_seconds_bucket\{k8s_object_kind="DatabaseInstance",le="1.0"\} 0$/m);
  assert.match(text, /^crotel_episode_duration_seconds_bucket\{k8s_object_kind="DatabaseInstance",le="2.5"\} 1$/m);
  assert.match(text, /^crotel_episode_duration_seconds_bucket\{k8s_object_kind="DatabaseInstance",le="\+Inf"\} 1$/m);
  assert.match(text, /^crotel_episode_duration_seconds_count\{k8s_object_kind="DatabaseInstance"\} 1$/m);
  assert.match(text, /^# TYPE crotel_list_starts_total counter$/m);
  assert.match(text, /^crotel_list_starts_total\{crotel_resource="a"\} 3$/m);
  assert.match(text, /^crotel_watch_up_ratio 1$/m);
  assert.match(text, /^# HELP crotel_episode_duration_seconds How long "episodes" last$/m);
});

test('OpenMetrics: TYPE before UNIT before HELP, counter family without _total, UNIT only where the name ends with it, quotes escaped in HELP', async () => {
  const om = serializeResourceMetrics(await sample(), 'openmetrics');
  assert.match(om, /^# TYPE crotel_episode_duration_seconds histogram\n# UNIT crotel_episode_duration_seconds seconds\n# HELP crotel_episode_duration_seconds How long \\"episodes\\" last$/m);
  assert.match(om, /^# TYPE crotel_list_starts counter\n# HELP crotel_list_starts Lists\ncrotel_list_starts_total\{crotel_resource="a"\} 3$/m);
  assert.match(om, /^# TYPE crotel_watch_up_ratio gauge\n# UNIT crotel_watch_up_ratio ratio$/m);
});
