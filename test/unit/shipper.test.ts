import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { SpanRecord } from '../../src/traces/episodes.ts';
import { SpanShipper, toReadableSpan } from '../../src/traces/shipper.ts';

const resource = resourceFromAttributes({ 'service.name': 'crotel-test' });

function record(i: number): SpanRecord {
  return { traceId: 'a'.repeat(32), spanId: i.toString(16).padStart(16, '0'), name: `s${i}`, startMs: 1000, endMs: 2500, attributes: {}, status: 'unset', events: [] };
}

/** An exporter that fails while `down` and records what it accepted. */
class FlakyExporter implements SpanExporter {
  down = true;
  accepted: string[] = [];
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    if (this.down) done({ code: ExportResultCode.FAILED, error: new Error('connection refused') });
    else {
      this.accepted.push(...spans.map((s) => s.name));
      done({ code: ExportResultCode.SUCCESS });
    }
  }
  async shutdown(): Promise<void> {}
}

test('toReadableSpan keeps ids, parent, times and status', () => {
  const span = toReadableSpan({ ...record(1), parentSpanId: 'b'.repeat(16), status: 'error', statusMessage: 'boom' }, resource);
  assert.equal(span.spanContext().spanId, '0000000000000001');
  assert.equal(span.parentSpanContext?.spanId, 'b'.repeat(16));
  assert.deepEqual(span.startTime, [1, 0]);
  assert.deepEqual(span.endTime, [2, 500_000_000]);
  assert.deepEqual(span.duration, [1, 500_000_000]);
  assert.deepEqual(span.status, { code: 2, message: 'boom' });
});

test('during an outage the queue stays bounded, the oldest spans are dropped and counted, the rest is delivered after', async () => {
  const exporter = new FlakyExporter();
  const drops: number[] = [];
  let failures = 0;
  const shipper = new SpanShipper({ exporter, resource, maxQueue: 5, batchSize: 2, flushIntervalMs: 10, onDropped: (_r, n) => drops.push(n), onExportFailed: () => failures++ });
  for (let i = 0; i < 12; i++) shipper.enqueue(record(i));
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(shipper.queued <= 5, `queue bounded (${shipper.queued})`);
  assert.ok(failures >= 1);
  exporter.down = false;
  await shipper.shutdown(5000);
  const dropped = drops.reduce((a, b) => a + b, 0);
  assert.equal(exporter.accepted.length + dropped, 12, 'every span is either delivered or counted as dropped');
  assert.deepEqual(exporter.accepted.slice(-3), ['s9', 's10', 's11'], 'the newest spans survive');
  assert.equal(new Set(exporter.accepted).size, exporter.accepted.length, 'none delivered twice');
});

test('shutdown keeps its deadline when an export hangs (a Collector that accepts and never answers): the spans in flight are counted as not sent', async () => {
  const hanging: SpanExporter = { export: () => {}, shutdown: () => new Promise(() => {}) };
  const drops: [string, number][] = [];
  // The shipper's own export bound is far beyond the deadline, as the 30 s default is beyond a 10 s grace period.
  const shipper = new SpanShipper({ exporter: hanging, resource, maxQueue: 100, batchSize: 3, flushIntervalMs: 5, exportTimeoutMs: 60_000, onDropped: (r, n) => drops.push([r, n]) });
  for (let i = 0; i < 5; i++) shipper.enqueue(record(i));
  await new Promise((r) => setTimeout(r, 30)); // the loop is now inside an export that never returns
  const started = Date.now();
  await shipper.shutdown(300);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 600, `shutdown took ${elapsed} ms with a 300 ms deadline`);
  assert.deepEqual(drops, [['shutdown', 5]], 'the in-flight batch (3) and the queued rest (2)');
});
