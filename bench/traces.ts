// crotel's lifecycle-traces benchmark: prints figures, asserts nothing.
//   npm run bench:traces -- [--objects 10000] [--rate 100] [--duration 30] … (see --help)
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
import { startCollector, type Collector } from '../harness/collector.ts';
import type { ControlPlane } from '../harness/control-plane.ts';
import { makeTempDir, removeTempDir } from '../harness/processes.ts';
import { parseExposition } from '../harness/prom-text.ts';
import { ApiClient } from './api.ts';
import { keepInputs } from './keep.ts';
import { finish, numberFlag, progressLog, runMain, startBenchControlPlane, stepRunner } from './main.ts';
import { startBenchCrotel, type BenchCrotel } from './crotel-child.ts';
import { procMemory } from './proc.ts';
import { ensureNamespaces, loadInstances } from './load.ts';
import { bareList } from './measure-list.ts';
import { measureStart } from './measure-start.ts';
import { currentResourceVersion, recordWatch, type WatchRecording } from './record-watch.ts';
import { count, ms, rate, secs } from './stats.ts';
import { measureCapacity, type ReceiverVariant } from './traces-capacity.ts';
import { measureTracesLag } from './traces-lag.ts';
import { TRANSITIONS_PER_CYCLE, CYCLE } from './traces-lifecycle.ts';
import { tracesSummaryMarkdown, type LagVariant, type TracesBenchResults } from './traces-report.ts';
import { startTraceSink, type TraceSink } from './traces-sink.ts';

const CRD = new URL('../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const CONFIG = new URL('../examples/databaseinstance/crotel.yaml', import.meta.url).pathname;

const HELP = `crotel lifecycle-traces benchmark (real kube-apiserver + etcd, real crotel CLI, real
OpenTelemetry Collector and Jaeger v2)

  npm run bench:traces -- [flags]        (or: node bench/traces.ts [flags])

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
                         node bench/traces-replay-main.ts --config … --objects-file … --events-file …)
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

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const results: TracesBenchResults = {
    command: `npm run bench:traces --${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`,
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
  return finish(results, tracesSummaryMarkdown(results), flags.json);
}

runMain('bench:traces', HELP, main);
