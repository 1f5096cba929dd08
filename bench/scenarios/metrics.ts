// crotel's metrics benchmark against a real apiserver: prints figures, asserts nothing.
//   npm run bench -- metrics [--objects 10000] [--rate 100] [--duration 20] … (see --help)
// Steps: 1 load, 2 bare list, 3 start → ready, 4 memory, 5 scrape, 6 lag at a fixed write rate
// (recording the watch stream meanwhile), 7 replay capacity on one core, 8 summary.
// Everything started here is stopped in `finally`, and the harness's exit hooks kill the
// control plane and crotel if the process is interrupted.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ControlPlane } from '../../harness/control-plane.ts';
import { makeTempDir, removeTempDir } from '../../harness/processes.ts';
import { ApiClient } from '../lib/api.ts';
import { keepInputs } from '../lib/keep.ts';
import type { ProcMemory } from '../lib/proc.ts';
import { commandLine, finish, numberFlag, progressLog, startBenchControlPlane, stepRunner, type Scenario } from '../lib/cli.ts';
import { startBenchCrotel, type BenchCrotel, type ChildMemory } from '../lib/crotel-child.ts';
import { childMemory, emptyChildMemory } from '../steps/child-memory.ts';
import { ensureNamespaces, loadInstances, type LoadResult } from '../workloads/databaseinstances.ts';
import { measureMetricsLag, type MetricsLagResult } from '../steps/lag.ts';
import { bareList, type ListResult } from '../steps/list.ts';
import { measureInProcess, type InProcessResult } from '../steps/in-process-memory.ts';
import { measureReplay, type ReplayRun } from '../steps/replay-capacity.ts';
import { measureRounds, type RoundResult } from '../steps/rounds.ts';
import { measureScrapes, type ScrapeStats } from '../steps/scrape.ts';
import { measureStart, type StartResult } from '../steps/start.ts';
import { currentResourceVersion, recordWatch } from '../steps/record-watch.ts';
import { summaryMarkdown, type Row } from '../lib/report.ts';
import { count, mib, ms, rate, secs, size } from '../lib/stats.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const CONFIG = new URL('../../examples/databaseinstance/crotel.yaml', import.meta.url).pathname;
const CATALOG_CONFIG = new URL('../workloads/databaseinstance-catalog.yaml', import.meta.url).pathname;
const CATALOG_RESOURCE = 'kubevirt.io/VirtualMachineInstance';

const HELP = `crotel metrics benchmark (real kube-apiserver + etcd, real crotel CLI)

  npm run bench -- metrics [flags]

  --objects N           DatabaseInstances to create (default 10000)
  --namespaces N        spread over this many namespaces (default 50)
  --concurrency N       parallel requests while loading (default 48)
  --page-size N         list page size of the bare-list baseline (default 500, as crotel)
  --lists N             bare-list runs; the fastest is the baseline (default 2)
  --scrapes N           timed full scrapes, plain and again with gzip (default 5 each)
  --only-scrape         stop after step 5 (no lag, in-process memory or replay): the scrape
                        figures alone, e.g. --objects 5000 --scrapes 20 --only-scrape
  --rate R              status writes per second in the lag step (default 100)
  --duration S          seconds of writing in the lag step (default 20)
  --max-in-flight N     writes in flight at most in the lag step (default 32)
  --scrape-interval MS  minimum time between lag-sampling scrapes (default 50; a scrape
                        never takes more than half of crotel's time, whatever the value)
  --drain S             seconds to wait for the last writes to show (default 15)
  --replay-events N     events in the timed replay (default 50000)
  --replay-cpu N        CPU the replay child is pinned to with taskset (default 1)
  --replay-catalog      replay the same stream a second time judged by a catalog kind's CEL
                        rules (bench/workloads/databaseinstance-catalog.yaml: KubeVirt VirtualMachineInstance)
                        instead of the reference config's phases: the health cost per update
  --compare-bin FILE    after the lag step, measure start → ready and heap per object again in
                        rounds, for this checkout and for FILE (another revision's
                        bin/crotel.js, e.g. a git worktree with node_modules linked)
  --rounds N            rounds of --compare-bin (default 2; the order alternates per round)
  --no-in-process       skip the in-process startRuntime memory measurement
  --json FILE           also write every figure as JSON to FILE
  --lag-csv FILE        write every lag-step write (sent, acked, on the watch, visible) as CSV
  --keep DIR            keep objects.jsonl and watch.jsonl in DIR (to rerun or profile the
                        replay: node bench/replay/replay-main.ts --config … --objects-file … --events-file …)
`;

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      objects: { type: 'string', default: '10000' },
      namespaces: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '48' },
      'page-size': { type: 'string', default: '500' },
      lists: { type: 'string', default: '2' },
      scrapes: { type: 'string', default: '5' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '20' },
      'max-in-flight': { type: 'string', default: '32' },
      'scrape-interval': { type: 'string', default: '50' },
      drain: { type: 'string', default: '15' },
      'replay-events': { type: 'string', default: '50000' },
      'replay-cpu': { type: 'string', default: '1' },
      'replay-catalog': { type: 'boolean', default: false },
      'compare-bin': { type: 'string' },
      rounds: { type: 'string', default: '2' },
      'no-in-process': { type: 'boolean', default: false },
      'only-scrape': { type: 'boolean', default: false },
      json: { type: 'string' },
      keep: { type: 'string' },
      'lag-csv': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    help: values.help,
    objects: Math.floor(numberFlag('objects', values.objects)),
    namespaces: Math.floor(numberFlag('namespaces', values.namespaces)),
    concurrency: Math.floor(numberFlag('concurrency', values.concurrency)),
    pageSize: Math.floor(numberFlag('page-size', values['page-size'])),
    lists: Math.floor(numberFlag('lists', values.lists)),
    scrapes: Math.floor(numberFlag('scrapes', values.scrapes)),
    rate: numberFlag('rate', values.rate),
    duration: numberFlag('duration', values.duration),
    maxInFlight: Math.floor(numberFlag('max-in-flight', values['max-in-flight'])),
    scrapeInterval: numberFlag('scrape-interval', values['scrape-interval'], true),
    drain: numberFlag('drain', values.drain, true),
    replayEvents: Math.floor(numberFlag('replay-events', values['replay-events'])),
    replayCpu: Math.floor(numberFlag('replay-cpu', values['replay-cpu'], true)),
    replayCatalog: values['replay-catalog'],
    compareBin: values['compare-bin'],
    rounds: Math.floor(numberFlag('rounds', values.rounds)),
    inProcess: !values['no-in-process'] && !values['only-scrape'],
    onlyScrape: values['only-scrape'],
    json: values.json,
    keep: values.keep,
    lagCsv: values['lag-csv'],
  };
}

export interface BenchResults {
  command: string;
  /** YYYY-MM-DD of the run. */
  date: string;
  objects: number;
  namespaces: number;
  environment: string;
  load?: LoadResult;
  lists?: ListResult[];
  start?: StartResult;
  childEmpty?: { proc: ProcMemory; heap: ChildMemory };
  childAfterSync?: { proc: ProcMemory; heap: ChildMemory };
  childAfterScrapes?: ProcMemory;
  childAfterLag?: { proc: ProcMemory; heap: ChildMemory };
  scrapes?: ScrapeStats;
  /** The same scrapes asking for gzip. */
  scrapesGzip?: ScrapeStats;
  lag?: MetricsLagResult & { rate: number; seconds: number; recorded: number };
  inProcess?: InProcessResult;
  replay?: ReplayRun;
  /** The same replay judged by a catalog kind's CEL rules (--replay-catalog). */
  replayCatalog?: ReplayRun;
  /** Start and heap again in rounds, this checkout against --compare-bin. */
  rounds?: { empty: Record<string, { heap: { heapUsed: number } }>; rounds: RoundResult[] };
  errors: string[];
}

function fastestList(lists: readonly ListResult[] | undefined): ListResult | undefined {
  return lists?.reduce<ListResult | undefined>((best, l) => (!best || l.seconds < best.seconds ? l : best), undefined);
}

function summaryRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const n = r.objects;
  if (r.load) rows.push(['1 load', `${count(r.load.objects)} objects (POST + status PATCH) in ${secs(r.load.seconds)}`, `${rate(r.load.objects / r.load.seconds)} objects, ${rate(r.load.requests / r.load.seconds)} requests`]);
  const best = fastestList(r.lists);
  if (r.lists && best) {
    rows.push(['2 bare list', `${secs(best.seconds)} (runs: ${r.lists.map((l) => secs(l.seconds)).join(', ')})`,
      `${mib(best.bytes)} in ${best.pages} pages of ≤500, JSON.parse ${secs(best.decodeSeconds)}; ${rate(best.objects / best.seconds)} objects`]);
  }
  if (r.start) {
    const s = r.start;
    rows.push(['3 start → ready', `${secs(s.completeSeconds)} spawn → /metrics with ${count(n)} storage series`,
      `listening ${secs(s.listeningSeconds)}, /readyz ${secs(s.readySeconds)}, crotel's list ${s.listedSeconds !== undefined ? secs(s.listedSeconds) : 'n/a'}`]);
    if (best) {
      rows.push(['3 ratio vs bare list', `${(s.completeSeconds / best.seconds).toFixed(2)}× (start → complete)`,
        s.listedSeconds !== undefined ? `${(s.listedSeconds / best.seconds).toFixed(2)}× crotel's own list time (no process boot)` : '']);
    }
  }
  if (r.childAfterSync) {
    const { proc, heap } = r.childAfterSync;
    rows.push(['4 child RSS after sync', mib(proc.rss), `peak so far ${mib(proc.peakRss)}; heapUsed after GC ${mib(heap.heapUsed)} (heapTotal ${mib(heap.heapTotal)}, external ${mib(heap.external)})`]);
    const empty = r.childEmpty;
    if (empty) {
      rows.push(['4 child with no objects', `RSS ${mib(empty.proc.rss)}, heapUsed ${mib(empty.heap.heapUsed)}`, 'the same CLI watching an empty namespace: the fixed share']);
      rows.push(['4 child per object', `${count(Math.round((heap.heapUsed - empty.heap.heapUsed) / n))} B heap, ${count(Math.round((proc.rss - empty.proc.rss) / n))} B RSS`,
        '(synced − no objects) / N, heap after GC in both']);
    } else {
      rows.push(['4 child heap per object', `${count(Math.round(heap.heapUsed / n))} B`, 'child heapUsed after GC / N (includes the fixed heap of the process)']);
    }
  }
  if (r.childAfterScrapes) rows.push(['4 child RSS after scrapes', mib(r.childAfterScrapes.rss), `peak ${mib(r.childAfterScrapes.peakRss)}`]);
  if (r.childAfterLag) {
    const { proc, heap } = r.childAfterLag;
    const growth = r.childAfterSync ? ` (${heap.heapUsed >= r.childAfterSync.heap.heapUsed ? '+' : '−'}${mib(Math.abs(heap.heapUsed - r.childAfterSync.heap.heapUsed))} since sync)` : '';
    rows.push(['4 child after lag run', `RSS ${mib(proc.rss)}, heapUsed after GC ${mib(heap.heapUsed)}${growth}`, `peak RSS ${mib(proc.peakRss)}; heapTotal ${mib(heap.heapTotal)}`]);
  }
  if (r.inProcess) {
    const m = r.inProcess;
    rows.push(['4 in-process retained/object', `${count(Math.round(m.bytesPerObject))} B`,
      `(heap after sync − before) / N = ${mib(m.retainedBytes)} / ${count(m.objects)}; net of the ${mib(m.fixedBytes)} fixed runtime cost: ${count(Math.round(m.bytesPerObjectNetOfFixed))} B`]);
    rows.push(['4 in-process start → synced', secs(m.readySeconds), 'startRuntime() → /readyz and N objects in the store, no process boot']);
  }
  for (const x of r.rounds?.rounds ?? []) {
    rows.push([`3/4 round ${x.round}, ${x.bin}`, `start → complete ${secs(x.start.completeSeconds)}, heap ${count(Math.round(x.heapPerObject))} B/object`,
      `crotel's list ${x.start.listedSeconds !== undefined ? secs(x.start.listedSeconds) : 'n/a'}, /readyz ${secs(x.start.readySeconds)}; heapUsed after GC ${mib(x.afterSync.heap.heapUsed)} (empty ${mib(r.rounds!.empty[x.bin]!.heap.heapUsed)}), RSS ${mib(x.afterSync.proc.rss)}`]);
  }
  const cpu = (s: ScrapeStats): string => (s.cpuMsPerScrape === undefined ? '' : `; crotel CPU ${ms(s.cpuMsPerScrape)} per scrape`);
  if (r.scrapes) {
    const s = r.scrapes;
    rows.push(['5 full scrape', `min ${ms(s.minMs)}, median ${ms(s.medianMs)}, max ${ms(s.maxMs)} (${s.runs} runs)`,
      `${mib(s.bytes)}, ${count(s.series)} series (${count(s.objectSeries)} object series, ${count(s.storageSeries)} storage)${cpu(s)}`]);
  }
  if (r.scrapesGzip) {
    const s = r.scrapesGzip;
    const ratio = s.wireBytes > 0 ? ` (${(s.bytes / s.wireBytes).toFixed(1)}× smaller)` : '';
    rows.push(['5 full scrape, gzip', `min ${ms(s.minMs)}, median ${ms(s.medianMs)}, max ${ms(s.maxMs)} (${s.runs} runs)`,
      `${size(s.wireBytes)} on the wire${ratio}, ${mib(s.bytes)} inflated by the client (timed), ${count(s.series)} series${cpu(s)}`]);
  }
  if (r.lag) {
    const l = r.lag;
    rows.push(['6 writes', `${count(l.acked)}/${count(l.planned)} acked at ${rate(l.achievedRate)} (target ${rate(l.rate)} for ${l.seconds} s)`,
      `failed ${l.failed}, late ${l.late}; PATCH latency p50 ${ms(l.patchP50Ms)}, p99 ${ms(l.patchP99Ms)}`]);
    rows.push(['6 lag write → /metrics', `p50 ${ms(l.all.p50Ms)}, p99 ${ms(l.all.p99Ms)}, max ${ms(l.all.maxMs)}`,
      `upper bounds; lower bounds p50 ${ms(l.lowerP50Ms)}, p99 ${ms(l.lowerP99Ms)}; resolution (scrape period) ${ms(l.resolutionMs)}, ${l.scrapes} scrapes of median ${ms(l.scrapeMedianMs)}`]);
    if (l.watchDelivery) {
      rows.push(['6 write → watch event', `p50 ${ms(l.watchDelivery.p50Ms)}, p99 ${ms(l.watchDelivery.p99Ms)}, max ${ms(l.watchDelivery.maxMs)}`,
        `the apiserver's share, on the bench's own watch (${count(l.watchDelivery.writes)} writes matched); crotel adds its per-event processing (step 7)`]);
    }
    rows.push(['6 lag first vs last third', `p50 ${ms(l.firstThird.p50Ms)} → ${ms(l.lastThird.p50Ms)}, p99 ${ms(l.firstThird.p99Ms)} → ${ms(l.lastThird.p99Ms)}`,
      `${l.growing ? 'GROWING' : 'stable'}; visible ${count(l.visible)}, never visible ${count(l.neverVisible)}`]);
  }
  for (const [p, label] of [[r.replay, ''], [r.replayCatalog, ' + catalog CEL']] as const) {
    if (!p) continue;
    const pin = p.pinnedCpu !== undefined ? `pinned to CPU ${p.pinnedCpu}` : 'NOT pinned';
    for (const v of p.variants) {
      const what = v.variant === 'store' ? 'store path' : 'runtime path';
      const hooks = v.variant === 'store' ? 'extract + budget + render' : 'extract + budget + render + lifecycle tracker (the pipeline of src/pipeline)';
      rows.push([`7 capacity, ${what}${label}`, `${rate(v.updatesPerSecond)} updates (${((v.seconds * 1e6) / p.events).toFixed(1)} µs each); target ≥ 5,000/s ${v.updatesPerSecond >= 5000 ? 'met' : 'MISSED'}`,
        `${hooks}; health: ${p.health} (${p.resource}); ${count(p.events)} ${p.source} events (${count(p.uniqueEvents)} distinct, ${mib(p.bytes)}) over ${count(p.objects)} objects, ${pin}; CPU ${secs(v.cpuSeconds)} for ${secs(v.seconds)} wall, GC ${ms(v.gcMs)} (${((v.gcMs / 1000 / v.seconds) * 100).toFixed(0)}%); errors: invalid ${v.invalid}, extraction ${v.extractionErrors}, dropped ${v.dropped}, decode ${v.decodeErrors}`]);
      rows.push([`7 heap/object, ${what}${label}`, `${count(Math.round(v.bytesPerObject))} B`, `after seeding by a list ingest of ${rate(v.listIngestPerSecond)} objects (JSON.parse + listPage)`]);
    }
    rows.push([`7 per-event stages${label}`, `JSON.parse ${p.parseUs.toFixed(1)} µs, extract ${p.extractUs.toFixed(1)} µs, render ${p.renderUs.toFixed(1)} µs`,
      'each stage alone on prepared inputs, best of 3; the rest of a full update is line splitting, budget, store, tracker and GC']);
  }
  return rows;
}

const log = progressLog('bench');

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const n = flags.objects;
  const results: BenchResults = {
    command: commandLine('metrics', argv),
    date: new Date().toISOString().slice(0, 10),
    objects: n,
    namespaces: flags.namespaces,
    environment: `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`,
    errors: [],
  };
  const readyTimeoutMs = 120_000 + n * 2;
  const dir = makeTempDir('crotel-bench-');
  let cp: ControlPlane | undefined;
  let api: ApiClient | undefined;
  let watchApi: ApiClient | undefined;
  let crotel: BenchCrotel | undefined;
  const objectsFile = join(dir, 'objects.jsonl');
  const eventsFile = join(dir, 'watch.jsonl');
  writeFileSync(eventsFile, '');

  const step = stepRunner(results.errors, log);

  try {
    const started = await startBenchControlPlane(CRD, log, dir);
    cp = started.cp;
    results.environment += `, kube-apiserver ${started.apiserverVersion}`;
    api = new ApiClient(cp, flags.concurrency);

    // 1. Load
    log(`1. loading ${count(n)} DatabaseInstances into ${flags.namespaces} namespaces, ${flags.concurrency} requests in flight`);
    await ensureNamespaces(api, flags.namespaces);
    const loaded = await loadInstances(api, {
      objects: n, namespaces: flags.namespaces, concurrency: flags.concurrency,
      onProgress: (done) => log(`   … ${count(done)} loaded`),
    });
    results.load = loaded;
    log(`   loaded in ${secs(loaded.seconds)}: ${rate(n / loaded.seconds)} objects, ${rate(loaded.requests / loaded.seconds)} requests`);

    // 2. Bare list
    const listApi = api;
    results.lists = await step('bare list', async () => {
      const runs = [];
      for (let i = 0; i < flags.lists; i++) {
        const l = await bareList(listApi, flags.pageSize);
        if (l.objects !== n) throw new Error(`listed ${l.objects} objects, expected ${n}`);
        log(`2. bare list run ${i + 1}: ${secs(l.seconds)}, ${mib(l.bytes)} in ${l.pages} pages (JSON.parse ${secs(l.decodeSeconds)})`);
        runs.push(l);
      }
      return runs;
    });

    // 4 (baseline): the same CLI watching an empty namespace — the process's fixed memory.
    const kubeconfig = cp.kubeconfigPath;
    results.childEmpty = await step('empty crotel memory', () => emptyChildMemory({ config: CONFIG, kubeconfig, dir }));
    if (results.childEmpty) log(`4. crotel with no objects: RSS ${mib(results.childEmpty.proc.rss)}, heapUsed after GC ${mib(results.childEmpty.heap.heapUsed)}`);

    // 3. crotel start → ready
    crotel = await step('start crotel', () => startBenchCrotel({ config: CONFIG, kubeconfig, dir }));
    if (crotel) {
      const child = crotel;
      results.start = await step('start → ready', () => measureStart(child, n, readyTimeoutMs));
      if (results.start) {
        const s = results.start;
        log(`3. start → ready: listening ${secs(s.listeningSeconds)}, /readyz ${secs(s.readySeconds)}, complete /metrics ${secs(s.completeSeconds)}; crotel's list ${s.listedSeconds !== undefined ? secs(s.listedSeconds) : 'n/a'}`);
      }
    }

    if (crotel && results.start) {
      const child = crotel;
      // 4. Memory after sync (child)
      results.childAfterSync = await step('child memory', async () => {
        const sample = await childMemory(child);
        log(`4. child after sync: RSS ${mib(sample.proc.rss)} (peak ${mib(sample.proc.peakRss)}), heapUsed after GC ${mib(sample.heap.heapUsed)}`);
        return sample;
      });

      // 5. Full scrapes: plain text, then gzip (what Prometheus asks for).
      results.scrapes = await step('scrapes', () => measureScrapes(child.url, flags.scrapes, { pid: child.pid }));
      if (results.scrapes) {
        const s = results.scrapes;
        log(`5. scrape: min ${ms(s.minMs)}, median ${ms(s.medianMs)}; ${mib(s.bytes)}, ${count(s.series)} series, ${count(s.storageSeries)} storage; crotel CPU ${ms(s.cpuMsPerScrape ?? Number.NaN)}/scrape`);
      }
      results.scrapesGzip = await step('gzip scrapes', () => measureScrapes(child.url, flags.scrapes, { gzip: true, pid: child.pid }));
      if (results.scrapesGzip) {
        const s = results.scrapesGzip;
        log(`5. gzip scrape: min ${ms(s.minMs)}, median ${ms(s.medianMs)}; ${size(s.wireBytes)} on the wire (${mib(s.bytes)} inflated), ${count(s.series)} series; crotel CPU ${ms(s.cpuMsPerScrape ?? Number.NaN)}/scrape`);
      }
      if (results.scrapes || results.scrapesGzip) results.childAfterScrapes = child.proc();
    }

    if (crotel && results.start && !flags.onlyScrape) {
      const child = crotel;

      // 6. Lag at a fixed rate, recording the watch stream for step 7.
      const writeApi = api;
      const controlPlane = cp;
      const lag = await step('lag', async () => {
        watchApi = new ApiClient(controlPlane, 1);
        const rv = await currentResourceVersion(writeApi);
        const recording = await recordWatch(watchApi, rv, eventsFile);
        log(`6. writing ${rate(flags.rate)} for ${flags.duration} s (watch recorded from resourceVersion ${rv})`);
        const result = await measureMetricsLag(writeApi, {
          url: child.url, objects: n, namespaces: flags.namespaces, rate: flags.rate, seconds: flags.duration,
          maxInFlight: flags.maxInFlight, scrapeIntervalMs: flags.scrapeInterval, drainMs: flags.drain * 1000,
          deliveredAt: (seconds) => recording.deliveredAt(seconds),
          ...(flags.lagCsv ? { dumpFile: flags.lagCsv } : {}),
        });
        const recorded = await recording.stop(result.acked, 10_000);
        log(`   lag p50 ${ms(result.all.p50Ms)}, p99 ${ms(result.all.p99Ms)} (resolution ${ms(result.resolutionMs)}); first third p50 ${ms(result.firstThird.p50Ms)} → last third ${ms(result.lastThird.p50Ms)}; recorded ${count(recorded.events)} watch events`);
        return { ...result, rate: flags.rate, seconds: flags.duration, recorded: recorded.events };
      });
      if (lag) results.lag = lag;
      results.childAfterLag = await step('child memory after lag', () => childMemory(child));
      if (results.childAfterLag) log(`4. child after the lag run: RSS ${mib(results.childAfterLag.proc.rss)} (peak ${mib(results.childAfterLag.proc.peakRss)}), heapUsed after GC ${mib(results.childAfterLag.heap.heapUsed)}`);
    }

    if (crotel && flags.compareBin) {
      await crotel.stop();
      crotel = undefined;
      const other = flags.compareBin;
      log(`3/4 again, ${flags.rounds} rounds: this checkout and ${other}`);
      results.rounds = await step('compare rounds', () => measureRounds({
        config: CONFIG, kubeconfig, dir, objects: n, timeoutMs: readyTimeoutMs, rounds: flags.rounds, log,
        bins: [{ label: 'this checkout' }, { label: other, bin: other }],
      }));
    }

    // Objects for seeding the replay: a full list dumped to a file (not timed).
    const dumpApi = api;
    const haveObjectsFile = !flags.onlyScrape && (await step('dump objects', () => bareList(dumpApi, flags.pageSize, objectsFile))) !== undefined;
    if (crotel) {
      await crotel.stop();
      crotel = undefined;
    }

    // 4b. In-process retained bytes per object.
    if (flags.inProcess) {
      const kc = cp.kubeconfigPath;
      results.inProcess = await step('in-process memory', () => measureInProcess({ config: CONFIG, kubeconfig: kc, objects: n, timeoutMs: readyTimeoutMs }));
      if (results.inProcess) {
        const m = results.inProcess;
        log(`4. in-process: ${count(Math.round(m.bytesPerObject))} B retained per object (${count(Math.round(m.bytesPerObjectNetOfFixed))} B net of ${mib(m.fixedBytes)} fixed); synced in ${secs(m.readySeconds)}`);
      }
    }

    // 7. Replay, with the control plane gone so it competes for nothing.
    await api.close();
    api = undefined;
    await watchApi?.close();
    watchApi = undefined;
    await cp.stop();
    cp = undefined;
    if (haveObjectsFile) {
      log(`7. replaying ${count(flags.replayEvents)} watch events through decode → ResourceStore.upsert on one core`);
      results.replay = await step('replay', () => measureReplay({ config: CONFIG, objectsFile, eventsFile, events: flags.replayEvents, cpu: flags.replayCpu, variants: ['store', 'runtime'] }));
      for (const v of results.replay?.variants ?? []) log(`   ${v.variant}: ${rate(v.updatesPerSecond)} updates (${results.replay?.source} events)`);
      if (flags.replayCatalog) {
        log(`7. the same replay judged by ${CATALOG_RESOURCE}'s catalog CEL rules (${CATALOG_CONFIG})`);
        results.replayCatalog = await step('replay (catalog CEL)', () => measureReplay({ config: CATALOG_CONFIG, resource: CATALOG_RESOURCE, objectsFile, eventsFile, events: flags.replayEvents, cpu: flags.replayCpu, variants: ['store', 'runtime'] }));
        for (const v of results.replayCatalog?.variants ?? []) log(`   ${v.variant} + CEL: ${rate(v.updatesPerSecond)} updates`);
      }
    }
  } catch (error) {
    results.errors.push(error instanceof Error ? error.message : String(error));
    log(`FAILED ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  } finally {
    await crotel?.stop().catch(() => {});
    await api?.close().catch(() => {});
    await watchApi?.close().catch(() => {});
    await cp?.stop().catch(() => {});
    keepInputs(flags.keep, [objectsFile, eventsFile], log);
    removeTempDir(dir);
  }

  // 8. Summary
  const summary = summaryMarkdown({
    title: `crotel metrics benchmark — ${count(results.objects)} DatabaseInstances in ${results.namespaces} namespaces`,
    command: results.command, environment: results.environment, rows: summaryRows(results), errors: results.errors,
  });
  return finish(results, summary, flags.json);
}

export const scenario: Scenario = { name: 'metrics', help: HELP, run: main };
