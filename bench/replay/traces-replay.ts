// Traces capacity, the work (run in a child pinned to one CPU by traces-capacity.ts): crotel's
// whole lifecycle-trace path without the apiserver — crotel's own pipeline (src/pipeline
// createPipeline, as `crotel run` builds it) fed through watches the replay drives:
//   watch bytes → the reflector's decode (replay.ts feed) → CappedSink → ResourceStore.upsert →
//   `changed` → EpisodeTracker.observe → LifecycleRecorder → redactSpan → SpanShipper (shipped
//   OTEL_BSP_* defaults, crotel's queue size) → createSpanExporter() (OTLP/HTTP, http/protobuf
//   unless OTEL_EXPORTER_OTLP_PROTOCOL says otherwise; endpoint from OTEL_EXPORTER_OTLP_ENDPOINT)
//   → a real receiver. Metrics are not pushed (OTEL_METRICS_EXPORTER=none: the receivers take spans).
// Unlike the metrics replay, the feed yields to the event loop after every 64 KiB chunk, as the
// reflector does between network chunks, so the shipper's timer, the exporter's HTTP and the
// queue sampler run on the same core between chunks: one thread does all of it, as in crotel.
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { loadConfigFile } from '../../src/config/index.ts';
import { compileResource, createRedactor } from '../../src/extract/index.ts';
import { createPipeline, FedWatches, readSettings } from '../../src/pipeline/index.ts';
import { createSpanExporter } from '../../src/traces/index.ts';
import { settledHeapUsed } from '../lib/gc.ts';
import { readSpanCounters } from '../lib/trace-receivers.ts';
import { feed, lines, retag, selfMetricTotal } from './replay.ts';
import { now, percentile, sleep } from '../lib/stats.ts';
import { lifecycleEvents, synthesizeLifecycle } from '../workloads/lifecycle.ts';

export type EventSource = 'recorded' | 'synthetic';

export interface TracesReplayOptions {
  readonly config: string;
  readonly objectsFile: string;
  readonly eventsFile: string;
  /** 'recorded' falls back to synthetic when the recording holds no whole lifecycle. */
  readonly source: EventSource;
  readonly events: number;
  readonly warmup: number;
  /** Events per second to feed at; 0 = as fast as the core goes. */
  readonly rate: number;
  /** Telemetry endpoints of the receivers, in pipeline order (the last one is the store). */
  readonly receivers: readonly { readonly name: string; readonly metricsUrl: string }[];
  readonly sampleMs: number;
  readonly drainTimeoutMs: number;
  /** Most distinct objects the synthetic source uses. */
  readonly syntheticObjects: number;
}

export interface ReceiverDelta {
  readonly name: string;
  readonly accepted: number;
  readonly refused: number;
  readonly sent: number;
  readonly sendFailed: number;
}

export interface QueueSample {
  /** ms since the timed run started. */
  readonly t: number;
  readonly queued: number;
  readonly enqueued: number;
  readonly exported: number;
  readonly dropped: number;
}

export interface TracesReplayResult {
  readonly source: EventSource;
  readonly sourceNote: string;
  readonly objects: number;
  readonly lifecycleObjects: number;
  readonly uniqueEvents: number;
  readonly events: number;
  readonly bytes: number;
  readonly protocol: string;
  readonly endpoint: string;
  readonly maxQueue: number;
  readonly rate: number;
  /** Feed start → last event processed. */
  readonly feedSeconds: number;
  /** Last event processed → every span acknowledged or dropped (the shipper flushed as at SIGTERM). */
  readonly drainSeconds: number;
  readonly transitions: number;
  readonly spans: number;
  readonly exported: number;
  readonly dropped: { readonly queueFull: number; readonly shutdown: number };
  readonly exportFailures: number;
  readonly exportCalls: number;
  /** One export call → its callback (serialization, the HTTP round trip, the receiver's answer), timed run only. */
  readonly exportMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly cpuSeconds: number;
  readonly gcMs: number;
  readonly decodeErrors: number;
  readonly invalid: number;
  readonly extractionErrors: number;
  readonly queue: readonly QueueSample[];
  readonly receivers: readonly ReceiverDelta[];
  /** Whether every receiver passed on everything it accepted within the drain timeout. */
  readonly receiversSettled: boolean;
  /** Traces (ids starting with "00", roots exported) with the number of spans crotel enqueued for each: spot checks. */
  readonly sampledTraces: readonly { readonly traceId: string; readonly spans: number }[];
}

const CHUNK = 64 * 1024;

interface Chunk {
  readonly bytes: Buffer;
  readonly events: number;
}

/** Events cut into ~64 KiB chunks that end at a line end (so each can go through feed() alone). */
function chunksOf(events: readonly string[], tag: string): Chunk[] {
  const chunks: Chunk[] = [];
  let parts: string[] = [];
  let size = 0;
  for (const event of events) {
    const line = `${retag(event, tag)}\n`;
    parts.push(line);
    size += Buffer.byteLength(line);
    if (size >= CHUNK) {
      chunks.push({ bytes: Buffer.from(parts.join('')), events: parts.length });
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) chunks.push({ bytes: Buffer.from(parts.join('')), events: parts.length });
  return chunks;
}

/**
 * The stream to replay, prepared before timing: the distinct events as two blocks of chunks with
 * different resourceVersion tags, fed alternately (pass 0 block a, pass 1 block b, …) until the
 * count is reached, so consecutive passes never repeat a version and memory stays at two blocks
 * whatever the count.
 */
class Stream {
  private readonly blocks: readonly (readonly Chunk[])[];
  constructor(unique: readonly string[], tag: string) {
    this.blocks = [chunksOf(unique, `${tag}a`), chunksOf(unique, `${tag}b`)];
  }
  /** Chunks totalling at least `count` events (whole chunks: at most one chunk more). */
  *chunks(count: number): Generator<Chunk> {
    let events = 0;
    for (let pass = 0; events < count; pass++) {
      for (const chunk of this.blocks[pass % 2]!) {
        if (events >= count) return;
        events += chunk.events;
        yield chunk;
      }
    }
  }
}

async function readCounters(receivers: TracesReplayOptions['receivers']): Promise<ReceiverDelta[]> {
  return Promise.all(receivers.map(async ({ name, metricsUrl }) => ({ name, ...(await readSpanCounters(metricsUrl)) })));
}

/** Waits until the chain has passed on `expected` spans beyond `base` (or the timeout): every hop forwarded what it took. */
async function settleReceivers(receivers: TracesReplayOptions['receivers'], base: readonly ReceiverDelta[], expected: number, timeoutMs: number): Promise<{ counters: ReceiverDelta[]; settled: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counters = await readCounters(receivers);
    const delta = counters.map((c, i) => ({ ...c, accepted: c.accepted - base[i]!.accepted, sent: c.sent - base[i]!.sent }));
    const settled = delta.every((d) => d.accepted >= expected && d.sent >= d.accepted);
    if (settled || Date.now() > deadline) return { counters, settled };
    await sleep(250);
  }
}

export async function runTracesReplay(options: TracesReplayOptions): Promise<TracesReplayResult> {
  const config = loadConfigFile(options.config);
  const resourceConfig = config.resources.find((r) => r.kind === 'DatabaseInstance');
  if (!resourceConfig) throw new Error(`${options.config} has no DatabaseInstance resource`);
  const resource = compileResource(resourceConfig, { seriesPerMetric: config.limits.seriesPerMetric, redact: config.redact });

  // The events.
  let unique: string[] = [];
  let source: EventSource = options.source;
  let sourceNote = '';
  if (source === 'recorded') {
    const recorded: string[] = [];
    for await (const line of lines(options.eventsFile)) recorded.push(line);
    unique = lifecycleEvents(recorded);
    sourceNote = `${unique.length} of ${recorded.length} recorded events: MODIFIED events of objects in whole lifecycles`;
    if (unique.length === 0) {
      source = 'synthetic';
      sourceNote = `the recording (${recorded.length} events) holds no whole lifecycle; synthetic instead`;
    }
  }
  if (source === 'synthetic') {
    unique = await synthesizeLifecycle(options.objectsFile, options.syntheticObjects);
    sourceNote = `${sourceNote ? `${sourceNote}. ` : ''}one lifecycle (5 writes) of each listed object`;
  }
  if (unique.length === 0) throw new Error('nothing to replay');
  const lifecycleObjects = new Set(unique.map((l) => (JSON.parse(l) as { object?: { metadata?: { uid?: string } } }).object?.metadata?.uid)).size;

  // The pipeline, as `crotel run` builds it (no apiserver, no /metrics server, no OTLP metrics push).
  const settings = readSettings({ ...process.env, OTEL_METRICS_EXPORTER: 'none' });
  const counters = { enqueued: 0, exported: 0, exportCalls: 0, queueFull: 0, shutdown: 0, exportFailures: 0 };
  const sampled = new Map<string, { spans: number; root: boolean }>();
  // The exporter crotel creates, timed from the outside (a wrapper adds one closure per export).
  const inner = createSpanExporter(settings.env, settings.otel);
  const exportTimes: number[] = [];
  let timing = false;
  const exporter: SpanExporter = {
    export(spans, done) {
      const started = now();
      inner.export(spans, (result) => {
        if (timing) exportTimes.push(now() - started);
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
  const watches = new FedWatches();
  const pipeline = createPipeline({
    resources: [resource], traces: { ...config.traces, enabled: true }, settings, version: 'bench',
    logger: pino({ level: 'silent' }), watchers: watches.factory, spanExporter: exporter, redactor: createRedactor(config.redact),
    objectLimits: { perKind: config.limits.objectsPerKind, total: config.limits.objects },
    spanObserver: {
      queued: (span) => {
        counters.enqueued++;
        if (span.traceId.startsWith('00')) {
          const entry = sampled.get(span.traceId) ?? { spans: 0, root: false };
          entry.spans++;
          if (span.parentSpanId === undefined) entry.root = true;
          sampled.set(span.traceId, entry);
        }
      },
      exported: (count) => {
        counters.exported += count;
        counters.exportCalls++;
      },
      dropped: (reason, count) => {
        if (reason === 'queue_full') counters.queueFull += count;
        else counters.shutdown += count;
      },
      exportFailed: () => counters.exportFailures++,
    },
  });
  const { telemetry } = pipeline;
  pipeline.start();
  const sink = watches.of(resource.ref.kind).sink;

  // Seed: the initial list (first sight of every object: no spans).
  let objects = 0;
  sink.beginList();
  let page: unknown[] = [];
  for await (const line of lines(options.objectsFile)) {
    page.push(JSON.parse(line));
    objects++;
    if (page.length === 500) {
      sink.listPage(page);
      page = [];
    }
  }
  sink.listPage(page);
  sink.endList();

  const run = async (chunks: Iterable<Chunk>, rate: number): Promise<{ events: number; decodeErrors: number; bytes: number }> => {
    let events = 0;
    let decodeErrors = 0;
    let bytes = 0;
    const start = now();
    for (const chunk of chunks) {
      if (rate > 0) {
        const wait = start + (events / rate) * 1000 - now();
        if (wait > 1) await sleep(wait);
      }
      const fed = feed([chunk.bytes], sink);
      events += fed.events;
      decodeErrors += fed.decodeErrors;
      bytes += chunk.bytes.length;
      await yieldToLoop();
    }
    return { events, decodeErrors, bytes };
  };
  const settledShipper = async (timeoutMs: number): Promise<boolean> => {
    const deadline = now() + timeoutMs;
    while (counters.exported + counters.queueFull + counters.shutdown < counters.enqueued) {
      if (now() > deadline) return false;
      await sleep(5);
    }
    return true;
  };

  // Warm-up: JIT, connections, and the lifecycle objects brought into the cycle.
  const base0 = await readCounters(options.receivers);
  const stream = new Stream(unique, 'r');
  await run(new Stream(unique, 'w').chunks(options.warmup), options.rate);
  await settledShipper(options.drainTimeoutMs);
  const base = (await settleReceivers(options.receivers, base0, counters.exported, options.drainTimeoutMs)).counters;
  const start = { ...counters };
  const transitionsBefore = selfMetricTotal(await telemetry.selfExposition(), 'crotel_transitions_total');

  // The timed run.
  const gcEntries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  settledHeapUsed();
  const queue: QueueSample[] = [];
  const t0 = now();
  const sample = (): void => {
    queue.push({
      t: now() - t0, queued: pipeline.queuedSpans,
      enqueued: counters.enqueued - start.enqueued, exported: counters.exported - start.exported,
      dropped: counters.queueFull - start.queueFull,
    });
  };
  const sampler = setInterval(sample, options.sampleMs);
  timing = true;
  const cpu0 = process.cpuUsage();
  const fed = await run(stream.chunks(options.events), options.rate);
  const t1 = now();
  const cpuFed = process.cpuUsage(cpu0);
  // Read before the stop shuts the meter provider down; its time and CPU are left out of the figures.
  const exposition = await telemetry.selfExposition();
  const transitions = selfMetricTotal(exposition, 'crotel_transitions_total') - transitionsBefore;
  const cpuDrain0 = process.cpuUsage();
  const tDrain = now();
  // Stop as crotel does on SIGTERM (what is queued goes out now, not at the next flush tick), so the
  // drain measures export capacity rather than the flush timer. The shipper gets half the stop's bound.
  await pipeline.stop(options.drainTimeoutMs * 2);
  const t2 = now();
  timing = false;
  const cpuDrain = process.cpuUsage(cpuDrain0);
  clearInterval(sampler);
  sample();
  await sleep(100);
  gcEntries.push(...observer.takeRecords());
  observer.disconnect();
  const exported = counters.exported - start.exported;
  const settledChain = await settleReceivers(options.receivers, base, exported, options.drainTimeoutMs);

  return {
    source,
    sourceNote,
    objects,
    lifecycleObjects,
    uniqueEvents: unique.length,
    events: fed.events,
    bytes: fed.bytes,
    protocol: settings.otel.tracesProtocol,
    endpoint: settings.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? settings.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '',
    maxQueue: settings.otel.bsp.maxQueueSize ?? config.traces.queueSize,
    rate: options.rate,
    feedSeconds: (t1 - t0) / 1000,
    drainSeconds: (t2 - tDrain) / 1000,
    transitions,
    spans: counters.enqueued - start.enqueued,
    exported,
    dropped: { queueFull: counters.queueFull - start.queueFull, shutdown: counters.shutdown - start.shutdown },
    exportFailures: counters.exportFailures - start.exportFailures,
    exportCalls: counters.exportCalls - start.exportCalls,
    exportMs: { p50: percentile(exportTimes, 50), p99: percentile(exportTimes, 99), max: percentile(exportTimes, 100) },
    cpuSeconds: (cpuFed.user + cpuFed.system + cpuDrain.user + cpuDrain.system) / 1e6,
    gcMs: gcEntries.filter((e) => e.startTime >= t0 && e.startTime <= t2).reduce((sum, e) => sum + e.duration, 0),
    decodeErrors: fed.decodeErrors,
    invalid: selfMetricTotal(exposition, 'crotel_objects_invalid_total'),
    extractionErrors: selfMetricTotal(exposition, 'crotel_extraction_errors_total'),
    queue,
    receivers: settledChain.counters.map((c, i) => ({
      name: c.name,
      accepted: c.accepted - base[i]!.accepted,
      refused: c.refused - base[i]!.refused,
      sent: c.sent - base[i]!.sent,
      sendFailed: c.sendFailed - base[i]!.sendFailed,
    })),
    receiversSettled: settledChain.settled,
    // Whole episodes only (their root was exported), warm-up included: Jaeger holds both.
    sampledTraces: [...sampled].filter(([, e]) => e.root).map(([traceId, e]) => ({ traceId, spans: e.spans })),
  };
}
