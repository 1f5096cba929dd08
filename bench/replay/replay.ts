// Step 7 (the work, run in a child pinned to one core by measure-replay.ts): processing capacity
// without the apiserver. Seeds a ResourceStore from listed objects as a list would, then feeds
// recorded watch bytes through the reflector's own decode path — chunked bytes → TextDecoder →
// line split → JSON.parse → event switch → ResourceStore.upsert — and reports updates per second.
// Two variants, each with its own store:
//   store    — compileResource's extractor + SeriesBudget (the metrics path; text is rendered at scrape time);
//   runtime  — crotel's own pipeline (src/pipeline createPipeline, as `crotel run` builds it, with
//              the config's object limits and redaction and the shipped defaults; tracing off: no
//              span shipper), fed through its CappedSink → ResourceStore → EpisodeTracker with a
//              LifecycleRecorder on crotel's meter, self-metrics and logs (silent) included.
// `resource` picks the config entry the stream is compiled with (default the DatabaseInstance):
// bench/databaseinstance-catalog.yaml adds a catalog kind (CloudNativePG Cluster) so the same
// stream is judged by the catalog's CEL rules instead of configured phases — the health cost.
import { createReadStream } from 'node:fs';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { loadConfigFile, type Config } from '../../src/config/index.ts';
import { compileResource, createRedactor } from '../../src/extract/index.ts';
import { ruleSetsFor } from '../../src/health/index.ts';
import { LineSplitter } from '../../src/kube/lines.ts';
import { deliverWatchLine, type ReflectorSink } from '../../src/kube/reflector.ts';
import { familyTemplate, renderLine } from '../../src/metrics/prometheus-text.ts';
import type { CompiledResource, Snapshot } from '../../src/model.ts';
import { createPipeline, FedWatches, readSettings } from '../../src/pipeline/index.ts';
import { SeriesBudget } from '../../src/state/budget.ts';
import { ResourceStore } from '../../src/state/store.ts';
import { parseExposition } from '../../harness/prom-text.ts';
import { pino } from 'pino';
import { settledHeapUsed } from '../lib/gc.ts';
import { now } from '../lib/stats.ts';

export type ReplayVariant = 'store' | 'runtime';

export interface ReplayOptions {
  readonly config: string;
  /** One listed object per line (JSON). */
  readonly objectsFile: string;
  /** Raw watch stream: one event per line. */
  readonly eventsFile: string;
  /** Events in the timed run (the recording is repeated, each pass with fresh resourceVersions). */
  readonly events: number;
  readonly warmup: number;
  /** Events for the per-stage breakdown. */
  readonly breakdown: number;
  readonly variants: readonly ReplayVariant[];
  /** `group/kind` of the config entry to compile (default stable.example.com/DatabaseInstance). */
  readonly resource?: string;
}

export interface VariantResult {
  readonly variant: ReplayVariant;
  readonly seconds: number;
  readonly updatesPerSecond: number;
  /** CPU (user+system) of the process during the timed run; > seconds means other threads helped. */
  readonly cpuSeconds: number;
  readonly gcMs: number;
  /** Heap retained per object after seeding (store, and tracker state for `runtime`). */
  readonly bytesPerObject: number;
  /** Seeding: JSON.parse of each listed object + listPage, objects per second. */
  readonly listIngestPerSecond: number;
  readonly invalid: number;
  readonly extractionErrors: number;
  readonly dropped: number;
  readonly decodeErrors: number;
}

export interface ReplayResult {
  /** `group/kind` of the config entry the stream was compiled with. */
  readonly resource: string;
  /** How that entry's health is decided: configured phases (no CEL) or CEL rule sets (catalog, config, Flux). */
  readonly health: string;
  readonly objects: number;
  readonly source: 'recorded' | 'synthetic';
  readonly uniqueEvents: number;
  readonly events: number;
  readonly bytes: number;
  readonly variants: VariantResult[];
  /** Per event, on pre-split lines: JSON.parse, extract (on parsed objects), renderLine (on each snapshot's samples: the scrape-time cost). */
  readonly parseUs: number;
  readonly extractUs: number;
  readonly renderUs: number;
}

interface WatchEvent {
  type?: string;
  object?: { metadata?: { resourceVersion?: string } };
}

const CHUNK = 64 * 1024;

export async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  try {
    for await (const line of rl) if (line.trim() !== '') yield line;
  } finally {
    rl.close();
  }
}

/** The reflector's handling of watch bytes (line split, then deliverWatchLine), minus the network. */
export function feed(chunks: readonly Buffer[], sink: ReflectorSink): { events: number; decodeErrors: number } {
  const splitter = new LineSplitter();
  let events = 0;
  let decodeErrors = 0;
  let resourceVersion = '';
  const counted: ReflectorSink = {
    ...sink,
    upsert: (object) => {
      events++;
      sink.upsert(object);
    },
    remove: (object) => {
      events++;
      sink.remove(object);
    },
  };
  for (const chunk of chunks) {
    for (const line of splitter.push(chunk)) {
      try {
        resourceVersion = deliverWatchLine(line, counted, () => decodeErrors++) ?? resourceVersion;
      } catch {
        decodeErrors++; // an ERROR event: none is recorded in a replayable stream
      }
    }
  }
  if (resourceVersion === '' && events > 0) decodeErrors++;
  return { events, decodeErrors };
}

/** Gives every event of a pass its own resourceVersion, so the store never short-circuits. */
export function retag(line: string, tag: string): string {
  return line.replace(/"resourceVersion":"([^"]*)"/, (_m, rv: string) => `"resourceVersion":"${rv}-${tag}"`);
}

/** `count` events cycling through the recording, as raw bytes cut into 64 KiB network-like chunks. */
function corpus(recorded: readonly string[], count: number, tag: string): { chunks: Buffer[]; bytes: number } {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const pass = Math.floor(i / recorded.length);
    parts.push(Buffer.from(`${retag(recorded[i % recorded.length]!, `${tag}${pass}`)}\n`));
  }
  const all = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += CHUNK) chunks.push(all.subarray(at, at + CHUNK));
  return { chunks, bytes: all.length };
}

/** MODIFIED events made from listed objects (phase flipped, backup time moved), when nothing was recorded. */
async function synthesize(objectsFile: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let i = 0;
  for await (const line of lines(objectsFile)) {
    const object = JSON.parse(line) as { metadata: { resourceVersion: string }; status?: Record<string, unknown> };
    object.status = { ...object.status, phase: i % 2 === 0 ? 'Failed' : 'Running', lastBackupTime: new Date(Date.UTC(2031, 0, 1) + i * 1000).toISOString() };
    out.push(JSON.stringify({ type: 'MODIFIED', object }));
    if (++i >= limit) break;
  }
  return out;
}

interface Counters {
  invalid: number;
  extractionErrors: number;
  dropped: number;
}

/** What the replay feeds (the collection's sink), the store it fills, and how its counters are read. */
interface Subject {
  readonly sink: ReflectorSink;
  readonly store: ResourceStore;
  counters(): Promise<Counters>;
  stop(): Promise<void>;
}

/** Sum of every series of a self-metric family in the exposition. */
export function selfMetricTotal(exposition: string, family: string): number {
  let sum = 0;
  for (const [key, value] of parseExposition(exposition)) if (key === family || key.startsWith(`${family}{`)) sum += value;
  return sum;
}

/** `store`: the store alone with its budget; `runtime`: crotel's pipeline with fed watches. */
function makeSubject(variant: ReplayVariant, resource: CompiledResource, config: Config): Subject {
  if (variant === 'store') {
    const counters: Counters = { invalid: 0, extractionErrors: 0, dropped: 0 };
    const budget = new SeriesBudget((_family, n) => (counters.dropped += n));
    const store = new ResourceStore(resource, budget, {
      invalidObject: () => counters.invalid++,
      extractionErrors: (_r, snapshot) => (counters.extractionErrors += snapshot.errors.length),
    });
    return { sink: store, store, counters: () => Promise.resolve(counters), stop: () => Promise.resolve() };
  }
  const watches = new FedWatches();
  // The shipped defaults, no push (an empty environment); traces off, as the variant measures the metrics path.
  const pipeline = createPipeline({
    resources: [resource], traces: { ...config.traces, enabled: false }, settings: readSettings({}), version: 'bench',
    logger: pino({ level: 'silent' }), watchers: watches.factory, redactor: createRedactor(config.redact),
    objectLimits: { perKind: config.limits.objectsPerKind, total: config.limits.objects },
  });
  pipeline.start();
  return {
    sink: watches.of(resource.ref.kind).sink,
    store: pipeline.stores[0]!,
    counters: async () => {
      const exposition = await pipeline.telemetry.selfExposition();
      return {
        invalid: selfMetricTotal(exposition, 'crotel_objects_invalid_total'),
        extractionErrors: selfMetricTotal(exposition, 'crotel_extraction_errors_total'),
        dropped: selfMetricTotal(exposition, 'crotel_series_dropped_total'),
      };
    },
    stop: () => pipeline.stop(),
  };
}

async function runVariant(variant: ReplayVariant, options: ReplayOptions, resource: CompiledResource, config: Config, recorded: readonly string[]): Promise<VariantResult & { objects: number; events: number; bytes: number }> {
  // Seed: the initial list, page by page, and the heap kept for it.
  const heapBefore = settledHeapUsed();
  const subject = makeSubject(variant, resource, config);
  const { sink, store } = subject;
  let seeded = 0;
  let seedMs = 0;
  sink.beginList();
  let page: unknown[] = [];
  const flush = (): void => {
    const t = now();
    sink.listPage(page);
    seedMs += now() - t;
    page = [];
  };
  for await (const line of lines(options.objectsFile)) {
    const t = now();
    page.push(JSON.parse(line));
    seedMs += now() - t;
    seeded++;
    if (page.length === 500) flush();
  }
  flush();
  sink.endList();
  const heapAfter = settledHeapUsed();

  feed(corpus(recorded, options.warmup, `${variant}-w`).chunks, sink);
  const timed = corpus(recorded, options.events, `${variant}-t`);
  const gcEntries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  settledHeapUsed();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const fed = feed(timed.chunks, sink);
  const t1 = now();
  const cpu = process.cpuUsage(cpu0);
  await new Promise((resolve) => setTimeout(resolve, 100));
  gcEntries.push(...observer.takeRecords());
  observer.disconnect();
  const gcMs = gcEntries.filter((e) => e.startTime >= t0 && e.startTime <= t1).reduce((sum, e) => sum + e.duration, 0);
  const seconds = (t1 - t0) / 1000;
  const counters = await subject.counters();
  const bytesPerObject = (heapAfter - heapBefore) / Math.max(1, store.entries.size);
  await subject.stop();
  return {
    variant,
    objects: seeded,
    events: fed.events,
    bytes: timed.bytes,
    seconds,
    updatesPerSecond: fed.events / seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    gcMs,
    bytesPerObject,
    listIngestPerSecond: seeded / (seedMs / 1000),
    ...counters,
    decodeErrors: fed.decodeErrors,
  };
}

/** Per-stage costs on pre-split lines: each stage runs on inputs prepared beforehand, best of 3. */
function breakdown(resource: CompiledResource, recorded: readonly string[], count: number): { parseUs: number; extractUs: number; renderUs: number } {
  const sample: string[] = [];
  for (let i = 0; i < count; i++) sample.push(retag(recorded[i % recorded.length]!, `b${Math.floor(i / recorded.length)}`));
  const parsed = sample.map((line) => (JSON.parse(line) as WatchEvent).object);
  const snapshots = parsed.map((o) => resource.extract(o)).filter((x): x is Snapshot => !('invalid' in x));
  const perItemUs = (items: number, body: () => void): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      const t = now();
      body();
      best = Math.min(best, now() - t);
    }
    return (best * 1000) / Math.max(1, items);
  };
  let sink = 0;
  const parseUs = perItemUs(sample.length, () => {
    for (const line of sample) sink += (JSON.parse(line) as WatchEvent).type?.length ?? 0;
  });
  const extractUs = perItemUs(parsed.length, () => {
    for (const o of parsed) sink += 'invalid' in resource.extract(o) ? 0 : 1;
  });
  const renderUs = perItemUs(snapshots.length, () => {
    for (const x of snapshots) for (const sm of x.samples) sink += renderLine(familyTemplate(resource.families[sm.family]!), sm.attributeValues, sm.value).length;
  });
  if (sink < 0) throw new Error('unreachable');
  return { parseUs, extractUs, renderUs };
}

export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const config = loadConfigFile(options.config);
  const wanted = options.resource ?? 'stable.example.com/DatabaseInstance';
  const resourceConfig = config.resources.find((r) => `${r.group}/${r.kind}` === wanted);
  if (!resourceConfig) throw new Error(`${options.config} has no ${wanted} resource`);
  const resource = compileResource(resourceConfig, { seriesPerMetric: config.limits.seriesPerMetric, redact: config.redact, fluxChecks: config.healthChecks ?? [] });
  const phases = resourceConfig.health.successPhases.length + resourceConfig.health.failurePhases.length > 0;
  const sets = ruleSetsFor(resourceConfig, resourceConfig.health, config.healthChecks ?? []);
  const health = phases ? 'configured phases (no CEL)' : sets.length > 0 ? `CEL: ${sets.map((s) => `${s.id} (${s.rules.length} rules)`).join(', ')}` : 'generic rules (no CEL)';

  // The events: the recording, or synthetic ones when it is empty.
  let recorded: string[] = [];
  for await (const line of lines(options.eventsFile)) {
    const type = (JSON.parse(line) as WatchEvent).type;
    if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') recorded.push(line);
    if (recorded.length >= options.events) break;
  }
  const source = recorded.length > 0 ? 'recorded' : 'synthetic';
  if (recorded.length === 0) recorded = await synthesize(options.objectsFile, Math.min(options.events, 20_000));
  if (recorded.length === 0) throw new Error('nothing to replay: no recorded events and no listed objects');

  const variants: VariantResult[] = [];
  let objects = 0;
  let events = 0;
  let bytes = 0;
  for (const variant of options.variants) {
    const result = await runVariant(variant, options, resource, config, recorded);
    ({ objects, events, bytes } = result);
    variants.push(result);
  }
  return { resource: wanted, health, objects, source, uniqueEvents: recorded.length, events, bytes, variants, ...breakdown(resource, recorded, Math.min(options.breakdown, options.events)) };
}
