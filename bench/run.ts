// crotel's metrics benchmark against a real apiserver: prints figures, asserts nothing.
//   npm run bench -- [--objects 10000] [--rate 100] [--duration 20] … (see --help)
// Steps: 1 load, 2 bare list, 3 start → ready, 4 memory, 5 scrape, 6 lag at a fixed write rate
// (recording the watch stream meanwhile), 7 replay capacity on one core, 8 summary.
// Everything started here is stopped in `finally`, and the harness's exit hooks kill the
// control plane and crotel if the process is interrupted.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ControlPlane } from '../harness/control-plane.ts';
import { makeTempDir, removeTempDir } from '../harness/processes.ts';
import { ApiClient } from './api.ts';
import { keepInputs } from './keep.ts';
import { finish, numberFlag, progressLog, runMain, startBenchControlPlane, stepRunner } from './main.ts';
import { startBenchCrotel, type BenchCrotel } from './crotel-child.ts';
import { childMemory, emptyChildMemory } from './measure-child-memory.ts';
import { ensureNamespaces, loadInstances } from './load.ts';
import { measureLag } from './measure-lag.ts';
import { bareList } from './measure-list.ts';
import { measureInProcess } from './measure-memory.ts';
import { measureReplay } from './measure-replay.ts';
import { measureRounds } from './measure-rounds.ts';
import { measureScrapes } from './measure-scrape.ts';
import { measureStart } from './measure-start.ts';
import { currentResourceVersion, recordWatch } from './record-watch.ts';
import { summaryMarkdown, type BenchResults } from './report.ts';
import { count, mib, ms, rate, secs, size } from './stats.ts';

const CRD = new URL('../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const CONFIG = new URL('../examples/databaseinstance/crotel.yaml', import.meta.url).pathname;
const CATALOG_CONFIG = new URL('./databaseinstance-catalog.yaml', import.meta.url).pathname;
const CATALOG_RESOURCE = 'kubevirt.io/VirtualMachineInstance';

const HELP = `crotel metrics benchmark (real kube-apiserver + etcd, real crotel CLI)

  npm run bench -- [flags]        (or: node bench/run.ts [flags])

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
                        rules (bench/databaseinstance-catalog.yaml: KubeVirt VirtualMachineInstance)
                        instead of the reference config's phases: the health cost per update
  --compare-bin FILE    after the lag step, measure start → ready and heap per object again in
                        rounds, for this checkout and for FILE (another revision's
                        bin/crotel.js, e.g. a git worktree with node_modules linked)
  --rounds N            rounds of --compare-bin (default 2; the order alternates per round)
  --no-in-process       skip the in-process startRuntime memory measurement
  --json FILE           also write every figure as JSON to FILE
  --lag-csv FILE        write every lag-step write (sent, acked, on the watch, visible) as CSV
  --keep DIR            keep objects.jsonl and watch.jsonl in DIR (to rerun or profile the
                        replay: node bench/replay-main.ts --config … --objects-file … --events-file …)
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

const log = progressLog('bench');

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const n = flags.objects;
  const results: BenchResults = {
    command: `npm run bench --${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`,
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
        const result = await measureLag(writeApi, {
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
  return finish(results, summaryMarkdown(results), flags.json);
}

runMain('bench', HELP, main);
