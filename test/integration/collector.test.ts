// Node → OTLP/HTTP → the real Collector → what it exported (read by an OTLP/HTTP sink).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { startCollector, type Collector } from '../../harness/collector.ts';
import { attributesOf, startOtlpSink, type OtlpSink } from '../../harness/otlp-sink.ts';
import { waitFor } from '../../harness/processes.ts';

let sink: OtlpSink;
let collector: Collector;
before(async () => {
  sink = await startOtlpSink();
  collector = await startCollector({ exportTo: sink.endpoint });
});
after(async () => {
  await collector?.stop();
  await sink?.close();
});

test('a span sent over OTLP/HTTP comes out of the Collector', async () => {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'crotel-foundation-test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${collector.otlpHttpEndpoint}/v1/traces` }) })],
  });
  const span = provider.getTracer('test').startSpan('foundation-span', { attributes: { 'test.marker': 'abc123' } });
  const { traceId, spanId } = span.spanContext();
  span.end();
  await provider.forceFlush();
  await waitFor('span in the Collector export', async () => sink.spans().some((s) => s.name === 'foundation-span'), 15_000);
  const got = sink.spans().find((s) => s.name === 'foundation-span');
  assert.equal(got?.traceId, traceId);
  assert.equal(got?.spanId, spanId);
  assert.equal(attributesOf(got?.attributes)['test.marker'], 'abc123');
  await provider.shutdown();
});

test('a metric sent over OTLP/HTTP comes out of the Collector', async () => {
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${collector.otlpHttpEndpoint}/v1/metrics` }),
    exportIntervalMillis: 60_000,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'crotel-foundation-test' }),
    readers: [reader],
  });
  provider.getMeter('test').createCounter('foundation.counter').add(7, { 'test.marker': 'xyz' });
  await reader.forceFlush();
  await waitFor('metric in the Collector export', async () => sink.metricPoints('foundation.counter').length > 0, 15_000);
  const point = sink.metricPoints('foundation.counter')[0];
  assert.equal(Number(point?.asDouble ?? point?.asInt), 7);
  assert.equal(attributesOf(point?.attributes)['test.marker'], 'xyz');
  await provider.shutdown();
});
