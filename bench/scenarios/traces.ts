// crotel's lifecycle-traces benchmark: prints figures, asserts nothing.
//   npm run bench -- traces [--objects 10000] [--rate 100] [--duration 30] … (see --help)
// Steps: 1 load a background population into a real apiserver; 2 lag — the real crotel CLI
// exporting spans, a writer driving fresh DatabaseInstances through their lifecycle at a fixed
// rate, write → root span timed at a bench receiver (via the Collector, then direct), while the
// watch stream is recorded; 3 capacity — the recorded lifecycle stream replayed on one core
// through crotel's whole trace path into Jaeger v2 (direct, and behind the Collector); 4 summary.
// Everything started here is stopped in `finally`, and the harness's exit hooks kill every
// process it started if the bench is interrupted or crashes.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCollector, type Collector } from '../../harness/collector.ts';
import type { ControlPlane } from '../../harness/control-plane.ts';
import { makeTempDir, removeTempDir } from '../../harness/processes.ts';
import { parseExposition } from '../../harness/prom-text.ts';
import { ApiClient } from '../lib/api.ts';
import { keepInputs } from '../lib/keep.ts';
import { commandLine, finish, numberFlag, progressLog, startBenchControlPlane, stepRunner, type Scenario } from '../lib/cli.ts';
import { startBenchCrotel, type BenchCrotel } from '../lib/crotel-child.ts';
import { procMemory } from '../lib/proc.ts';
import { ensureNamespaces, loadInstances, type LoadResult } from '../workloads/databaseinstances.ts';
import { bareList } from '../steps/list.ts';
import { measureStart } from '../steps/start.ts';
import { currentResourceVersion, recordWatch, type WatchRecording } from '../steps/record-watch.ts';
import { count, mib, ms, rate, secs } from '../lib/stats.ts';
import { measureCapacity, type CapacityRun, type ReceiverVariant } from '../steps/traces-capacity.ts';
import { measureTracesLag, type Band, type TracesLagResult } from '../steps/lag.ts';
import { TRANSITIONS_PER_CYCLE, CYCLE } from '../workloads/lifecycle.ts';
import { summaryMarkdown, type Row } from '../lib/report.ts';
import { startTraceSink, type TraceSink } from '../lib/trace-sink.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const CONFIG = new URL('../../examples/databaseinstance/crotel.yaml', import.meta.url).pathname;

const HELP = `crotel lifecycle-traces benchmark (real kube-apiserver + etcd, real crotel CLI, real
OpenTelemetry Collector and Jaeger v2)

  npm run bench -- traces [flags]        (or: npm run bench:traces -- [flags])

  --objects N            background DatabaseInstances loaded before the lag step, which crotel
                         lists and watches but nobody writes (default 10000)
  --namespaces N         spread over this many namespaces (default 50)
  --concurrency N        parallel requests while loading (default 48)
  --rate R               writes per second in the lag step (default 100)
  --duration S           seconds of writing per lag variant (default 30)
  --lag-objects M        fresh objects the lag writer drives through their lifecycle; each is
                         written every M/R s (default 2×R)
  --lag-variants LIST    collector (crotel → Collector, batch timeout 200 ms → bench receiver)
                         and/or direct (crotel → bench receiver) (default collector,direct)
  --max-in-flight N      writes in flight at most (default 32)
  --drain S              seconds to wait for the last root spans (default 15)
  --replay-events N      events in the timed capacity replay at full speed (default 200000)
  --replay-warmup N      events replayed before timing (default 10000)
  --replay-source SRC    recorded (the lag step's watch stream, whole lifecycles only; falls
                         back to synthetic when empty) or synthetic (one lifecycle of each listed
                         object) (default recorded)
  --replay-cpu N         CPU the replay child is pinned to with taskset; the receivers get the
                         others (default 1)
  --receivers LIST       capacity receivers: jaeger (crotel → Jaeger v2) and/or collector
                         (crotel → Collector with the shipped config → Jaeger v2)
                         (default jaeger,collector)
  --target T             transitions/s of the paced capacity run (the issue's target); 0 skips
                         it (default 10000)
  --paced-seconds S      length of the paced run (default 20)
  --protocol P           OTLP protocol of the capacity replay: http/protobuf (crotel's
                         default) or http/json (default http/protobuf)
  --skip-lag             no lag step (capacity then replays a synthetic stream)
  --skip-capacity        no capacity step
  --json FILE            also write every figure as JSON to FILE
  --keep DIR             keep objects.jsonl and watch.jsonl in DIR (rerun the replay alone:
                         node bench/replay/traces-replay-main.ts --config … --objects-file … --events-file …)
`;

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      objects: { type: 'string', default: '10000' },
      namespaces: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '48' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '30' },
      'lag-objects': { type: 'string' },
      'lag-variants': { type: 'string', default: 'collector,direct' },
      'max-in-flight': { type: 'string', default: '32' },
      drain: { type: 'string', default: '15' },
      'replay-events': { type: 'string', default: '200000' },
      'replay-warmup': { type: 'string', default: '10000' },
      'replay-source': { type: 'string', default: 'recorded' },
      'replay-cpu': { type: 'string', default: '1' },
      receivers: { type: 'string', default: 'jaeger,collector' },
      target: { type: 'string', default: '10000' },
      'paced-seconds': { type: 'string', default: '20' },
      protocol: { type: 'string', default: 'http/protobuf' },
      'skip-lag': { type: 'boolean', default: false },
      'skip-capacity': { type: 'boolean', default: false },
      json: { type: 'string' },
      keep: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const list = <T extends string>(name: string, text: string, allowed: readonly T[]): T[] => text.split(',').filter((v) => v !== '').map((v) => {
    if (!(allowed as readonly string[]).includes(v)) throw new Error(`--${name}: unknown ${v} (${allowed.join(', ')})`);
    return v as T;
  });
  const rateValue = numberFlag('rate', values.rate);
  const source = values['replay-source'];
  if (source !== 'recorded' && source !== 'synthetic') throw new Error(`--replay-source ${source}: recorded or synthetic`);
  const protocol = values.protocol;
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') throw new Error(`--protocol ${protocol}: http/protobuf or http/json`);
  return {
    help: values.help,
    objects: Math.floor(numberFlag('objects', values.objects, true)),
    namespaces: Math.floor(numberFlag('namespaces', values.namespaces)),
    concurrency: Math.floor(numberFlag('concurrency', values.concurrency)),
    rate: rateValue,
    duration: numberFlag('duration', values.duration),
    lagObjects: Math.floor(numberFlag('lag-objects', values['lag-objects'] ?? String(Math.max(10, Math.round(2 * rateValue))))),
    lagVariants: list<LagVariant>('lag-variants', values['lag-variants'], ['collector', 'direct']),
    maxInFlight: Math.floor(numberFlag('max-in-flight', values['max-in-flight'])),
    drain: numberFlag('drain', values.drain, true),
    replayEvents: Math.floor(numberFlag('replay-events', values['replay-events'])),
    replayWarmup: Math.floor(numberFlag('replay-warmup', values['replay-warmup'], true)),
    replaySource: source,
    replayCpu: Math.floor(numberFlag('replay-cpu', values['replay-cpu'], true)),
    receivers: list<ReceiverVariant>('receivers', values.receivers, ['jaeger', 'collector']),
    target: numberFlag('target', values.target, true),
    pacedSeconds: numberFlag('paced-seconds', values['paced-seconds']),
    protocol,
    skipLag: values['skip-lag'],
    skipCapacity: values['skip-capacity'],
    json: values.json,
    keep: values.keep,
  } as const;
}

type LagVariant = 'collector' | 'direct';

interface LagRun {
  readonly variant: LagVariant;
  readonly via: string;
  readonly lag: TracesLagResult;
  /** crotel's own counters (its /metrics) and memory at the end of the run. */
  readonly crotel: { exported: number; dropped: number; exportFailures: number; transitions: number; rss: number; peakRss: number };
}

interface TracesBenchResults {
  command: string;
  /** YYYY-MM-DD of the run. */
  date: string;
  objects: number;
  namespaces: number;
  environment: string;
  load?: LoadResult;
  lag: LagRun[];
  recordedEvents?: number;
  capacity: CapacityRun[];
  errors: string[];
}

/** The issue's targets. */
export const LAG_P99_TARGET_MS = 1000;
export const CAPACITY_TARGET_TRANSITIONS = 10_000;

function b(band: Band | undefined): string {
  return band && band.writes > 0 ? `p50 ${ms(band.p50Ms)}, p99 ${ms(band.p99Ms)}, max ${ms(band.maxMs)}` : 'n/a';
}

function lagRows(run: LagRun): Row[] {
  const { lag: l, variant } = run;
  const name = `2 lag, ${variant}`;
  const rows: Row[] = [
    [`${name}: writes`, `${count(l.acked)}/${count(l.planned)} acked at ${rate(l.achievedRate)}`,
      `${count(l.lifecycleObjects)} fresh objects, each written every ${(l.lifecycleObjects / Math.max(1, l.achievedRate)).toFixed(1)} s (create, then Pending → Provisioning → Running → Failed → Running …); failed ${l.failed}, late ${l.late}; write latency p50 ${ms(l.patchP50Ms)}, p99 ${ms(l.patchP99Ms)}`],
    [`${name}: write → root span at the receiver`, `${b(l.total)}; p99 ≤ 1 s ${l.total.p99Ms <= LAG_P99_TARGET_MS ? 'met' : 'MISSED'}`,
      `${run.via}. ${count(l.matched)} of ${count(l.endingWrites)} episode-ending writes got their root (missing ${l.missing}; unmatched roots ${l.unmatchedRoots}; outcome mismatches ${l.outcomeMismatches}; spans arrived twice ${l.duplicateSpans}; ${count(l.spansArrived)} spans arrived in all)`],
    [`${name}: write → crotel processed it`, b(l.observed), "the root's end time is crotel's clock when it handled the write: the apiserver's watch delivery plus crotel's decode, store and tracker"],
    [`${name}: crotel processed → at the receiver`, b(l.shipping),
      `SpanShipper: queued until its flush tick (OTEL_BSP_SCHEDULE_DELAY, crotel default 200 ms, or at 512 spans), then one OTLP export${variant === 'collector' ? '; plus the Collector\'s batch processor (timeout 200 ms) and its export' : ' (arrival here = the span leaving crotel)'}`],
  ];
  if (l.watchDelivery) rows.push([`${name}: write → event on the bench's watch`, b(l.watchDelivery), `the apiserver's share alone (${count(l.watchDelivery.writes)} status writes matched on the bench's own watch)`]);
  rows.push([`${name}: does lag grow?`, `${l.growing ? 'GROWING' : 'no'}: fitted lag ${l.trendMs >= 0 ? '+' : '−'}${ms(Math.abs(l.trendMs))} from first to last write`,
    `least-squares line through every matched write (growing = a rise above max(200 ms, 25% of p50)); by thirds of the run: p50 ${ms(l.firstThird.p50Ms)} → ${ms(l.lastThird.p50Ms)}, p99 ${ms(l.firstThird.p99Ms)} → ${ms(l.lastThird.p99Ms)} (${l.firstThird.writes} and ${l.lastThird.writes} writes)`]);
  rows.push([`${name}: crotel`, `${l.crotelCores !== undefined ? `${(l.crotelCores * 100).toFixed(1)}% of a core while writing` : 'CPU n/a'}, RSS ${mib(run.crotel.rss)}`,
    `its own counters for the whole process: spans exported ${count(run.crotel.exported)}, dropped ${count(run.crotel.dropped)}, trace export failures ${count(run.crotel.exportFailures)}, transitions ${count(run.crotel.transitions)}; peak RSS ${mib(run.crotel.peakRss)}`]);
  return rows;
}

function timeline(run: CapacityRun, points = 12): string {
  const q = run.queue;
  if (q.length === 0) return 'n/a';
  const stride = Math.max(1, Math.ceil(q.length / points));
  const picked = q.filter((_s, i) => i % stride === 0 || i === q.length - 1);
  return picked.map((s) => `${(s.t / 1000).toFixed(1)} s: ${count(s.queued)}`).join(', ');
}

function delivered(run: CapacityRun): string {
  const store = run.receivers.at(-1);
  return `${count(store?.sent ?? 0)} of ${count(run.spans)} spans stored by Jaeger`;
}

function deliveredDetail(run: CapacityRun): string {
  return `counted by the receivers' own telemetry over the timed run: ${run.receivers.map((r) => `${r.name} accepted ${count(r.accepted)}, passed on ${count(r.sent)} (refused ${r.refused}, failed ${r.sendFailed})`).join('; ')}${run.receiversSettled ? '' : ' — NOT settled at the deadline'}; crotel: ${count(run.exported)} acknowledged in ${count(run.exportCalls)} exports, export failures ${run.exportFailures}, dropped (crotel_spans_dropped) queue_full ${count(run.dropped.queueFull)}, shutdown ${count(run.dropped.shutdown)}; spot check: ${run.spotCheck.whole}/${run.spotCheck.checked} sampled traces whole in Jaeger's query API${run.spotCheck.mismatches.length > 0 ? ` (e.g. ${run.spotCheck.mismatches.slice(0, 2).map((m) => `${m.traceId}: ${m.exported} exported, ${m.inJaeger} stored`).join('; ')})` : ''}`;
}

function exportTimes(run: CapacityRun): string {
  return `export call → answer (serialize, POST, receiver) p50 ${ms(run.exportMs.p50)}, p99 ${ms(run.exportMs.p99)}, max ${ms(run.exportMs.max)} over ${count(run.exportCalls)} exports`;
}

function capacityRows(run: CapacityRun): Row[] {
  const wall = run.feedSeconds + run.drainSeconds;
  const dropped = run.dropped.queueFull + run.dropped.shutdown;
  const maxQueued = Math.max(0, ...run.queue.map((s) => s.queued));
  const keptUp = dropped === 0 && maxQueued < run.maxQueue;
  const pin = run.pinnedCpu !== undefined ? `pinned to CPU ${run.pinnedCpu}${run.receiverCpus ? `, receivers on CPU ${run.receiverCpus}` : ''}` : 'NOT pinned';
  const cpuShare = `${((run.cpuSeconds / wall) * 100).toFixed(0)}% of the core`;
  const stream = `${count(run.events)} ${run.source} events (${count(run.uniqueEvents)} distinct over ${count(run.lifecycleObjects)} objects — ${run.sourceNote}; store seeded with ${count(run.objects)} listed objects), ${mib(run.bytes)}; ${(run.transitions / run.events).toFixed(2)} transitions and ${(run.spans / run.events).toFixed(2)} spans per event; ${run.protocol} to ${run.receiverChain}; ${pin}`;
  const queue = `queued spans every 100 ms: ${timeline(run)}`;
  if (run.mode === 'full') {
    const name = `3 capacity, ${run.variant}, full speed`;
    const exportedPerSecond = run.exported / wall;
    return [
      [`${name}: processed`, `${rate(run.transitions / run.feedSeconds)} transitions = ${rate(run.events / run.feedSeconds)} events, ${rate(run.spans / run.feedSeconds)} spans; per CPU-second ${rate(run.transitions / run.cpuSeconds)} transitions`,
        `decode → store → tracker → recorder → shipper → exporter, nothing paced: ${stream}; fed in ${secs(run.feedSeconds)}, CPU ${secs(run.cpuSeconds)} in ${secs(wall)} wall (${cpuShare}: less than 100% means other processes took the core), GC ${ms(run.gcMs)}; decode errors ${run.decodeErrors}, invalid ${run.invalid}`],
      [`${name}: exported`, `${rate(exportedPerSecond)} spans acknowledged (${rate(exportedPerSecond * (run.transitions / run.spans))} transitions' worth); ${keptUp ? 'the exporter kept up' : `the exporter did NOT keep up: ${count(dropped)} dropped`}`,
        `first event → every span acknowledged or dropped: feed ${secs(run.feedSeconds)} + drain ${secs(run.drainSeconds)} (the queue flushed as at SIGTERM, not at the next flush tick); one export in flight at a time (SpanShipper), mean batch ${(run.exported / Math.max(1, run.exportCalls)).toFixed(0)} spans; ${exportTimes(run)}`],
      [`${name}: delivered`, `${delivered(run)}; dropped ${count(dropped)}`, deliveredDetail(run)],
      [`${name}: queue`, `max ${count(maxQueued)} of ${count(run.maxQueue)}`, queue],
    ];
  }
  const aim = run.aimTransitions ?? run.rate * (run.transitions / run.events);
  const achieved = run.transitions / run.feedSeconds;
  const sustained = keptUp && achieved >= 0.98 * aim;
  const name = `3 capacity, ${run.variant}, paced at ${rate(aim)} transitions${run.mode === 'target' ? ' (the target)' : ' (90% of the full-speed export rate)'}`;
  const verdict = run.mode === 'target'
    ? `; ≥ ${count(CAPACITY_TARGET_TRANSITIONS)}/s ${sustained && achieved >= 0.98 * CAPACITY_TARGET_TRANSITIONS ? 'met' : 'MISSED'}`
    : '';
  return [
    [`${name}: sustained?`, `${sustained ? 'yes' : 'NO'}: ${rate(achieved)} transitions (${rate(run.events / run.feedSeconds)} events, ${rate(run.exported / wall)} spans acknowledged), ${cpuShare}, dropped ${count(dropped)}${verdict}`,
      `${stream}; ${secs(run.feedSeconds)} paced + drain ${secs(run.drainSeconds)}; CPU ${secs(run.cpuSeconds)}, GC ${ms(run.gcMs)}; ${exportTimes(run)}`],
    [`${name}: delivered, queue`, `${delivered(run)}; queue max ${count(maxQueued)} of ${count(run.maxQueue)}`, `${deliveredDetail(run)}; ${queue}`],
  ];
}

function tracesSummaryRows(r: TracesBenchResults): Row[] {
  const rows: Row[] = [];
  if (r.load) rows.push(['1 load', `${count(r.load.objects)} background objects in ${secs(r.load.seconds)}`, `${rate(r.load.objects / r.load.seconds)} objects (POST + status PATCH); listed and watched by crotel, never written again`]);
  for (const run of r.lag) rows.push(...lagRows(run));
  if (r.recordedEvents !== undefined) rows.push(['2 recording', `${count(r.recordedEvents)} watch events`, 'the raw watch stream of all DatabaseInstances during step 2, replayed in step 3']);
  for (const run of r.capacity) rows.push(...capacityRows(run));
  return rows;
}

/** The few figures the issue asks for, one line each. */
function tracesHeadline(r: TracesBenchResults): string[] {
  const out: string[] = [];
  for (const run of r.capacity.filter((c) => c.mode === 'full')) {
    const wall = run.feedSeconds + run.drainSeconds;
    const dropped = run.dropped.queueFull + run.dropped.shutdown;
    const target = r.capacity.find((c) => c.mode === 'target' && c.variant === run.variant);
    const probe = r.capacity.find((c) => c.mode === 'probe' && c.variant === run.variant);
    const paced = (c: CapacityRun): string => {
      const d = c.dropped.queueFull + c.dropped.shutdown;
      const ok = d === 0 && Math.max(0, ...c.queue.map((q) => q.queued)) < c.maxQueue && c.transitions / c.feedSeconds >= 0.98 * (c.aimTransitions ?? 0);
      return `${rate(c.transitions / c.feedSeconds)} transitions ${ok ? 'sustained' : 'NOT sustained'} (${((c.cpuSeconds / (c.feedSeconds + c.drainSeconds)) * 100).toFixed(0)}% of the core, ${count(d)} dropped)`;
    };
    out.push(`- Capacity, one core → ${run.variant === 'jaeger' ? 'Jaeger v2' : 'Collector → Jaeger v2'}: full speed processed ${rate(run.transitions / run.feedSeconds)} transitions (${rate(run.transitions / run.cpuSeconds)} per CPU-second), exporter acknowledged ${rate(run.exported / wall)} spans${dropped > 0 ? `, ${count(dropped)} dropped` : ', none dropped'}` +
      `${target ? `; at the target ${paced(target)}` : ''}${probe ? `; probe ${paced(probe)}` : ''}.`);
  }
  for (const run of r.lag) {
    const l = run.lag;
    out.push(`- Lag at ${rate(l.achievedRate)} writes, ${run.variant === 'direct' ? 'write → span leaving crotel' : 'write → root span out of the Collector (batch 200 ms)'}: p50 ${ms(l.total.p50Ms)}, p99 ${ms(l.total.p99Ms)}, max ${ms(l.total.maxMs)} (write → crotel processed it: p50 ${ms(l.observed.p50Ms)}, p99 ${ms(l.observed.p99Ms)}); ${l.growing ? 'GROWING' : 'not growing'}.`);
  }
  return out;
}

const log = progressLog('bench:traces');

/** crotel's own counters about spans, from its /metrics. */
async function crotelSpanCounters(crotel: BenchCrotel): Promise<{ exported: number; dropped: number; exportFailures: number; transitions: number }> {
  const res = await crotel.crotel.get('/metrics');
  const sum = (prefix: string, filter?: string): number => {
    let total = 0;
    for (const [key, value] of parseExposition(res.body)) if (key.startsWith(prefix) && (!filter || key.includes(filter))) total += value;
    return total;
  };
  return {
    exported: sum('crotel_spans_exported_total{'),
    dropped: sum('crotel_spans_dropped_total{'),
    exportFailures: sum('crotel_export_failures_total{', 'signal="traces"'),
    transitions: sum('crotel_transitions_total{'),
  };
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const results: TracesBenchResults = {
    command: commandLine('traces', argv),
    date: new Date().toISOString().slice(0, 10),
    objects: flags.objects,
    namespaces: flags.namespaces,
    environment: `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    lag: [],
    capacity: [],
    errors: [],
  };
  const dir = makeTempDir('crotel-bench-traces-');
  const objectsFile = join(dir, 'objects.jsonl');
  const eventsFile = join(dir, 'watch.jsonl');
  writeFileSync(eventsFile, '');
  let cp: ControlPlane | undefined;
  let api: ApiClient | undefined;
  let watchApi: ApiClient | undefined;
  let recording: WatchRecording | undefined;
  let crotel: BenchCrotel | undefined;
  let collector: Collector | undefined;
  let sink: TraceSink | undefined;

  const step = stepRunner(results.errors, log);

  try {
    const started = await startBenchControlPlane(CRD, log, dir);
    cp = started.cp;
    results.environment += `, kube-apiserver ${started.apiserverVersion}`;
    api = new ApiClient(cp, flags.concurrency);
    await ensureNamespaces(api, flags.namespaces);

    // 1. Background population.
    if (flags.objects > 0) {
      log(`1. loading ${count(flags.objects)} background DatabaseInstances into ${flags.namespaces} namespaces`);
      results.load = await loadInstances(api, {
        objects: flags.objects, namespaces: flags.namespaces, concurrency: flags.concurrency,
        onProgress: (done) => log(`   … ${count(done)} loaded`),
      });
      log(`   loaded in ${secs(results.load.seconds)}`);
    }

    // 2. Lag, one crotel per variant; the watch stream is recorded throughout for step 3.
    if (!flags.skipLag) {
      const writeApi = api;
      const controlPlane = cp;
      watchApi = new ApiClient(controlPlane, 1);
      const rv = await currentResourceVersion(writeApi);
      recording = await recordWatch(watchApi, rv, eventsFile);
      let created = flags.objects;
      let offset = 0;
      for (const variant of flags.lagVariants) {
        const outcome = await step(`lag (${variant})`, async () => {
          sink = await startTraceSink();
          let endpoint = sink.endpoint;
          let via = 'crotel → bench receiver (OTLP/HTTP protobuf, crotel\'s default)';
          if (variant === 'collector') {
            collector = await startCollector({ exportTo: sink.endpoint });
            endpoint = collector.otlpHttpEndpoint;
            via = 'crotel (OTLP/HTTP protobuf) → Collector (test harness config: batch timeout 200 ms) → bench receiver (OTLP/HTTP JSON)';
          }
          crotel = await startBenchCrotel({
            config: CONFIG, kubeconfig: controlPlane.kubeconfigPath, dir,
            env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, CROTEL_LOG_LEVEL: 'info' },
          });
          const child = crotel;
          await measureStart(child, created, 120_000 + created * 2);
          log(`2. lag via ${variant}: ${rate(flags.rate)} for ${flags.duration} s over ${count(flags.lagObjects)} fresh objects (${via})`);
          const lag = await measureTracesLag({
            api: writeApi, sink, crotelPid: child.pid, namespaces: flags.namespaces, prefix: `lc-${variant[0]}-`,
            objects: flags.lagObjects, rate: flags.rate, seconds: flags.duration, maxInFlight: flags.maxInFlight,
            drainMs: flags.drain * 1000, valueOffset: offset, deliveredAt: (seconds) => recording?.deliveredAt(seconds),
          });
          offset += lag.planned;
          created += lag.lifecycleObjects;
          const counters = await crotelSpanCounters(child);
          const memory = procMemory(child.pid);
          log(`   write → root span p50 ${ms(lag.total.p50Ms)}, p99 ${ms(lag.total.p99Ms)}, max ${ms(lag.total.maxMs)}; ${count(lag.matched)}/${count(lag.endingWrites)} roots; fitted trend ${ms(lag.trendMs)} over the run${lag.growing ? ' (GROWING)' : ''}`);
          return { variant, via, lag, crotel: { ...counters, rss: memory.rss, peakRss: memory.peakRss } };
        });
        await crotel?.stop().catch(() => {});
        crotel = undefined;
        await collector?.stop().catch(() => {});
        collector = undefined;
        await sink?.close().catch(() => {});
        sink = undefined;
        if (outcome) results.lag.push(outcome);
      }
      const expected = results.lag.reduce((n, l) => n + l.lag.acked, 0);
      const recorded = await recording.stop(expected, 10_000);
      recording = undefined;
      results.recordedEvents = recorded.events;
      log(`   recorded ${count(recorded.events)} watch events`);
    }

    // Objects for seeding the replay: a full list dumped to a file (not timed).
    const dumpApi = api;
    const haveObjects = (await step('dump objects', () => bareList(dumpApi, 500, objectsFile))) !== undefined;
    await api.close();
    api = undefined;
    await watchApi?.close();
    watchApi = undefined;
    await cp.stop();
    cp = undefined;

    // 3. Capacity, with the control plane gone so it competes for nothing.
    if (!flags.skipCapacity && haveObjects) {
      const source = flags.skipLag ? 'synthetic' : flags.replaySource;
      log(`3. capacity: ${count(flags.replayEvents)} ${source} lifecycle events on CPU ${flags.replayCpu}, as fast as it goes`);
      const base = {
        config: CONFIG, objectsFile, eventsFile, source, events: flags.replayEvents, warmup: flags.replayWarmup,
        cpu: flags.replayCpu, variants: flags.receivers, protocol: flags.protocol, log,
      } as const;
      const full = await step('capacity', () => measureCapacity({ ...base, rate: 0, mode: 'full' }));
      for (const run of full ?? []) {
        results.capacity.push(run);
        const wall = run.feedSeconds + run.drainSeconds;
        log(`   ${run.variant}: processed ${rate(run.transitions / run.feedSeconds)} transitions (${rate(run.events / run.feedSeconds)} events); exported ${rate(run.exported / wall)} spans; dropped ${count(run.dropped.queueFull + run.dropped.shutdown)}`);
      }
      // The target in events/s, from the transitions per event this stream produced.
      const perEvent = (full ?? []).reduce((n, r) => n + r.transitions / r.events, 0) / Math.max(1, full?.length ?? 0) || TRANSITIONS_PER_CYCLE / CYCLE.length;
      const paced = async (mode: 'target' | 'probe', variants: readonly ReceiverVariant[], transitions: number): Promise<void> => {
        const eventsPerSecond = Math.ceil(transitions / perEvent);
        log(`3. capacity paced ${mode === 'target' ? 'at the target' : 'just under the export capacity'} for ${flags.pacedSeconds} s: ${rate(transitions)} transitions = ${rate(eventsPerSecond)} events`);
        const runs = await step(`capacity (${mode})`, () => measureCapacity({
          ...base, variants, rate: eventsPerSecond, events: Math.round(eventsPerSecond * flags.pacedSeconds), mode, aimTransitions: transitions,
        }));
        for (const run of runs ?? []) {
          results.capacity.push(run);
          log(`   ${run.variant}: ${rate(run.transitions / run.feedSeconds)} transitions, CPU ${((run.cpuSeconds / (run.feedSeconds + run.drainSeconds)) * 100).toFixed(0)}% of the core; dropped ${count(run.dropped.queueFull + run.dropped.shutdown)}, queue max ${count(Math.max(0, ...run.queue.map((q) => q.queued)))}`);
        }
      };
      if (flags.target > 0 && full && full.length > 0) await paced('target', flags.receivers, flags.target);
      // Where full speed outran the exporter, the spans it got out per second are the export
      // capacity: check that 90% of it (as transitions) is sustained without a drop.
      for (const run of full ?? []) {
        if (run.dropped.queueFull + run.dropped.shutdown === 0) continue;
        const exportedPerSecond = run.exported / (run.feedSeconds + run.drainSeconds);
        await paced('probe', [run.variant], Math.floor((0.9 * exportedPerSecond * (run.transitions / run.spans)) / 100) * 100);
      }
    }
  } catch (error) {
    results.errors.push(error instanceof Error ? error.message : String(error));
    log(`FAILED ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  } finally {
    await crotel?.stop().catch(() => {});
    await collector?.stop().catch(() => {});
    await sink?.close().catch(() => {});
    await recording?.stop(0, 0).catch(() => {});
    await api?.close().catch(() => {});
    await watchApi?.close().catch(() => {});
    await cp?.stop().catch(() => {});
    keepInputs(flags.keep, [objectsFile, eventsFile], log);
    removeTempDir(dir);
  }

  // 4. Summary
  const summary = summaryMarkdown({
    title: `crotel lifecycle-traces benchmark — ${count(results.objects)} background DatabaseInstances in ${results.namespaces} namespaces`,
    command: results.command, environment: results.environment, headline: tracesHeadline(results), rows: tracesSummaryRows(results), errors: results.errors,
  });
  return finish(results, summary, flags.json);
}

export const scenario: Scenario = { name: 'traces', help: HELP, run: main };
