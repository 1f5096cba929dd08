// The pipeline (src/pipeline/pipeline.ts) with fakes for everything outside it: fed watches, a span
// exporter and leadership that write to one journal, so the order of start and stop is exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { parseConfigText, type Config } from '../../src/config/index.ts';
import { compileConfig, compileResource } from '../../src/extract/index.ts';
import { createPipeline, FedWatches, readSettings, type Leadership, type Pipeline } from '../../src/pipeline/index.ts';

const CONFIG = `
traces: {enabled: true}
resources:
  - group: stable.example.com
    version: v1
    kind: DatabaseInstance
    namespaces: [a]
    health: {successPhases: [Running]}
  # Another group's kind of the same name: Events are watched by kind, so the two share one Events watch.
  - {group: other.example.com, version: v1, kind: DatabaseInstance, namespaces: [a], metrics: [{name: db.size, gauge: {path: spec.size}}]}
  - group: "*"
`;

function instance(phase: string, resourceVersion: string) {
  return {
    apiVersion: 'stable.example.com/v1', kind: 'DatabaseInstance',
    metadata: { name: 'db', namespace: 'a', uid: 'db-1', resourceVersion, generation: 1, creationTimestamp: '2030-01-01T00:00:00Z' },
    spec: { size: 1 }, status: { phase, observedGeneration: 1 },
  };
}

interface Harness {
  readonly pipeline: Pipeline;
  readonly watches: FedWatches;
  readonly journal: string[];
  readonly exported: number[];
}

function harness(options: { leading?: boolean } = {}): Harness {
  const journal: string[] = [];
  const exported: number[] = [];
  const config: Config = parseConfigText(CONFIG, 'test.yaml');
  const watches = new FedWatches({ onStop: (w) => journal.push(`stop ${w.description}`) });
  const exporter: SpanExporter = {
    export(spans, done) {
      journal.push(`export ${spans.length} spans`);
      exported.push(spans.length);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {
      journal.push('exporter shutdown');
    },
  };
  const leadership: Leadership = {
    leadsAt: () => options.leading ?? true,
    isLeader: options.leading ?? true,
    start: () => journal.push('leadership start'),
    stop: async () => {
      journal.push('leadership stop');
    },
  };
  const pipeline = createPipeline({
    resources: compileConfig(config), traces: config.traces, settings: readSettings({}), version: 'test',
    logger: pino({ level: 'silent' }), watchers: watches.factory, spanExporter: exporter, leadership, clock: () => Date.UTC(2030, 0, 1, 0, 1),
    discovery: { config: config.discovery!, compile: (entry) => compileResource(entry, { seriesPerMetric: 1000 }) },
  });
  // The meter provider is the pipeline's own; its final export and shutdown are recorded around it.
  const { flush, shutdown } = pipeline.telemetry;
  Object.assign(pipeline.telemetry, {
    flush: async (ms?: number) => {
      journal.push('metrics flush');
      return flush(ms);
    },
    shutdown: async (ms?: number) => {
      journal.push('metrics shutdown');
      return shutdown(ms);
    },
  });
  return { pipeline, watches, journal, exported };
}

/** A creation episode from Pending to Running: its spans are queued when it ends. */
function oneEpisode(h: Harness): void {
  const watch = h.watches.watches.find((w) => w.spec.ref.kind === 'DatabaseInstance')!;
  watch.list([[]]);
  watch.sink.upsert(instance('Pending', '10'));
  watch.sink.upsert(instance('Running', '11'));
}

test('the watches are built at once, started by start(): resources, one Events watch per kind and namespace, the CRD watch', () => {
  const h = harness();
  assert.ok(h.watches.watches.every((w) => w.state === 'starting'));
  h.pipeline.start();
  assert.deepEqual(h.watches.watches.map((w) => `${w.spec.ref.kind}@${w.spec.namespace ?? ''}:${w.state}`), [
    'DatabaseInstance@a:watching', 'Event@a:watching', 'DatabaseInstance@a:watching', 'CustomResourceDefinition@:watching',
  ]);
  assert.deepEqual(h.journal, ['leadership start']);
  assert.equal(h.pipeline.tracing, true);
  return h.pipeline.stop(1000);
});

test('stop: discovery, every watch, leadership given up (its last report), the last spans exported, then the final metrics export', async () => {
  const h = harness();
  h.pipeline.start();
  oneEpisode(h);
  assert.ok(h.pipeline.queuedSpans > 0, 'the episode\'s spans are queued');
  h.journal.length = 0;
  await h.pipeline.stop(2000);
  assert.deepEqual(h.journal, [
    'stop apiextensions.k8s.io/v1/CustomResourceDefinition',
    'stop stable.example.com/v1/DatabaseInstance in a',
    'stop other.example.com/v1/DatabaseInstance in a',
    'stop core/v1/Event in a (involvedObject.kind=DatabaseInstance)',
    // The Lease released first: the release reports the last changes, whose held spans then ship.
    'leadership stop',
    `export ${h.exported[0]} spans`,
    'exporter shutdown',
    'metrics flush',
    'metrics shutdown',
  ]);
  assert.ok(h.exported[0]! >= 2, 'root and phase spans');
  assert.equal(h.pipeline.queuedSpans, 0);
});

test('nothing is watched after stop: resources added late are ignored', async () => {
  const h = harness();
  h.pipeline.start();
  await h.pipeline.stop(1000);
  const before = h.watches.watches.length;
  const [resource] = compileConfig(parseConfigText(CONFIG, 'test.yaml'));
  h.pipeline.addResource({ ...resource!, id: 'late' });
  assert.equal(h.watches.watches.length, before);
});

test('a follower tracks episodes but queues no spans', async () => {
  const h = harness({ leading: false });
  h.pipeline.start();
  oneEpisode(h);
  assert.equal(h.pipeline.queuedSpans, 0);
  await h.pipeline.stop(1000);
  assert.deepEqual(h.exported, []);
});

test('the Events watch of a kind is shared: stopped with the last resource of that kind and namespace', async (t) => {
  const h = harness();
  h.pipeline.start();
  t.after(() => h.pipeline.stop(1000));
  const [first, second] = compileConfig(parseConfigText(CONFIG, 'test.yaml'));
  const events = h.watches.of('Event', 'a');
  await h.pipeline.removeResource(first!.id);
  assert.equal(events.state, 'watching', 'still used by the second entry');
  await h.pipeline.removeResource(second!.id);
  assert.equal(events.state, 'stopped');
  assert.equal(h.pipeline.stores.length, 0);
});

test('readiness: pending until the first list of each resource (and the CRDs), then nothing', async () => {
  const h = harness();
  h.pipeline.start();
  assert.ok(h.pipeline.readiness.pending().some((p) => p.includes('CustomResourceDefinition')));
  for (const w of h.watches.watches.filter((x) => x.spec.ref.kind !== 'Event')) w.list([[]]);
  // The CRD list hands the (no) discovered kinds over asynchronously.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(h.pipeline.readiness.pending(), []);
  assert.deepEqual(h.pipeline.readiness.failing(), []);
  await h.pipeline.stop(1000);
});

test('two entries of one kind (other namespaces) are two resources: each removed on its own', async (t) => {
  const config = parseConfigText(`
resources:
  - {group: stable.example.com, version: v1, kind: DatabaseInstance, namespaces: [a]}
  - {group: stable.example.com, version: v1, kind: DatabaseInstance, namespaces: [b]}
`, 'test.yaml');
  const resources = compileConfig(config);
  assert.notEqual(resources[0]!.id, resources[1]!.id, 'ids name the entry');
  const watches = new FedWatches();
  const pipeline = createPipeline({
    resources, traces: config.traces, settings: readSettings({}), version: 'test',
    logger: pino({ level: 'silent' }), watchers: watches.factory,
  });
  pipeline.start();
  t.after(() => pipeline.stop(1000));
  assert.equal(pipeline.stores.length, 2);
  await pipeline.removeResource(resources[1]!.id);
  assert.equal(watches.of('DatabaseInstance', 'b').state, 'stopped');
  assert.equal(watches.of('DatabaseInstance', 'a').state, 'watching', 'the other entry still watched');
  assert.equal(pipeline.stores.length, 1);
});

interface HandoverSteps {
  tookOver(from: bigint): void;
  confirmed(through: bigint): void;
  otherReported(through: bigint, unseen?: { from: bigint; to: bigint }, ourTermEnd?: bigint): void;
}

/** A pipeline with span handover under a fake leadership, fed by the test: its one DatabaseInstance
 *  watch, the handover's steps (what the Lease would drive) and the names of the spans exported. */
function handoverPipeline(leading = false) {
  const config: Config = parseConfigText(CONFIG, 'test.yaml');
  const watches = new FedWatches();
  const exported: string[] = [];
  const exporter: SpanExporter = {
    export(spans, done) {
      exported.push(...spans.map((s) => s.name));
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
  let attached: HandoverSteps | undefined;
  const leadership: Leadership = {
    leadsAt: () => leading, isLeader: leading, start: () => {}, stop: async () => {},
    attachHandover: (h) => (attached = h),
  };
  const pipeline = createPipeline({
    resources: compileConfig(config), traces: config.traces, settings: readSettings({}), version: 'test',
    logger: pino({ level: 'silent' }), watchers: watches.factory, spanExporter: exporter, leadership, clock: () => Date.UTC(2030, 0, 1, 0, 1),
  });
  pipeline.start();
  const watch = watches.watches.find((w) => w.spec.ref.kind === 'DatabaseInstance' && w.spec.ref.group === 'stable.example.com')!;
  return { pipeline, watch, handover: attached!, exported };
}

test('a relist after a blind spell: the changes it collapsed are owned where they began, so none of another term\'s is shipped', async () => {
  const { pipeline, watch, handover, exported } = handoverPipeline();
  watch.list([[instance('Pending', '10')]]); // a creation episode open at rv 10
  // This replica goes blind; the leader sees the object become Running at rv 15 and reports through 20.
  handover.otherReported(20n);
  // Back, a relist (after 410 Gone) shows it Running at rv 30: the end of the episode collapsed into one change.
  watch.list([[instance('Running', '30')]]);
  // This replica takes over from the report of 20 and confirms through 40.
  handover.tookOver(20n);
  handover.confirmed(40n);
  await pipeline.stop(1000);
  assert.deepEqual(exported, [], 'the episode ended in the other term, which shipped it; a guess from the relist is not shipped again');
});

test('a relist within this replica\'s term ships the change it collapsed: its view was current until the blind spell began', async () => {
  // The object last changed in the predecessor's term, but this replica watched it unchanged well
  // into its own term: the change the relist shows lies after that, in its term alone.
  const { pipeline, watch, handover, exported } = handoverPipeline();
  watch.list([[instance('Pending', '10')]]); // a creation episode open at rv 10, the predecessor's term
  handover.tookOver(14n); // this replica leads from the report of 14 and watches on, current through 20
  // A 410 and a relist: Running at rv 30, the end of the episode collapsed, after 20.
  watch.list([[instance('Running', '30')]], '20');
  handover.confirmed(40n);
  await pipeline.stop(1000);
  assert.ok(exported.includes('reconcile DatabaseInstance'), `the episode ended in this replica's term: shipped (got ${JSON.stringify(exported)})`);
});

test('a deletion a relist implies is shipped only if it lies in this replica\'s terms: not by a new leader for its predecessor\'s term', async () => {
  // This replica watched the object (Pending at 10) until 20, went blind, took the lease over from
  // the report of 30; its relist at 40 no longer shows the object. The deletion lies in (20, 40],
  // partly the predecessor's term, which saw it live and shipped the episode's end.
  const { pipeline, watch, handover, exported } = handoverPipeline(true);
  watch.list([[instance('Pending', '10')]], undefined, '10');
  handover.otherReported(30n);
  handover.tookOver(30n);
  watch.list([[]], '20', '40');
  handover.confirmed(50n);
  await pipeline.stop(1000);
  assert.deepEqual(exported, [], 'the deletion may lie in the predecessor\'s term, which shipped it');
});

test('a leader frozen past its term relists on waking: a collapsed change that may lie after its term is not shipped', async () => {
  // The twin of the first test above, from the other end: the previous state is in this replica's
  // term, the transition after it (the successor, watching live, shipped it).
  const { pipeline, watch, handover, exported } = handoverPipeline();
  handover.tookOver(0n);
  watch.list([[instance('Pending', '10')]]); // a creation episode open at rv 10, in this replica's term
  handover.confirmed(20n);
  // Frozen (SIGSTOP); the successor took over from the report of 20, saw Running at rv 25 and shipped it.
  // Waking, the watch's history is gone: a relist shows Running at rv 30, collapsed from rv 10.
  watch.list([[instance('Running', '30')]]);
  handover.otherReported(40n, undefined, 20n); // then it learns of the successor's report
  await pipeline.stop(1000);
  assert.deepEqual(exported, [], 'the episode ended after this replica\'s term; its successor shipped it');
});
