// Zero config at scale: K custom resource kinds × M objects each in a real apiserver, then
// `crotel run` with no config. Prints figures, asserts nothing.
//   npm run bench -- zero-config [--kinds 50] [--objects-per-kind 2000] [--json FILE] (see --help)
// Steps: 1 K CRDs (10 groups) and K×M objects; 2 the floor: a bare paginated list of every
// object (kind after kind, and all kinds at once as crotel's reflectors do); 3 start → every
// object's health on /metrics; 4 memory after sync (RSS, heap after GC), net of the same CLI
// selecting the same kinds in an empty namespace; 5 full scrapes; 6 summary.
// Everything started here is stopped in `finally`; the harness's exit hooks cover Ctrl-C.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { makeTempDir, removeTempDir, waitFor } from '../../harness/processes.ts';
import { ApiClient, forEachConcurrent } from '../lib/api.ts';
import { startBenchCrotel, type BenchCrotel } from '../lib/crotel-child.ts';
import { commandLine, finish, numberFlag, progressLog, stepRunner, type Scenario } from '../lib/cli.ts';
import { childMemory, type ChildMemorySample } from '../steps/child-memory.ts';
import { bareList, type ListResult } from '../steps/list.ts';
import { ensureNamespaces, namespaceName, withRetry } from '../workloads/databaseinstances.ts';
import { cpuSecondsOf } from '../lib/proc.ts';
import { scrape } from '../lib/scrape-client.ts';
import { count, max, median, mib, min, ms, now, rate, secs, sleep } from '../lib/stats.ts';

const HELP = `crotel zero-config benchmark (real kube-apiserver + etcd, real crotel CLI with no config)

  npm run bench -- zero-config [flags]

  --kinds N              custom resource kinds (CRDs), spread over 10 groups (default 50)
  --objects-per-kind N   objects of each kind (default 2000)
  --namespaces N         objects spread over this many namespaces (default 20)
  --concurrency N        parallel requests while loading (default 48)
  --page-size N          list page size of the bare-list floor (default 500, as crotel)
  --lists N              runs of each bare-list variant; the fastest counts (default 2)
  --scrapes N            timed full scrapes (default 3)
  --json FILE            also write every figure as JSON to FILE
`;

interface Kind {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
}

function kindsOf(n: number): Kind[] {
  return Array.from({ length: n }, (_, i) => {
    const id = String(i).padStart(2, '0');
    return { group: `g${i % 10}.zc-bench.example.com`, kind: `Thing${id}`, plural: `thing${id}s` };
  });
}

/** Loose schema and no status subresource: the create stores the status, one request per object. */
function crdOf(k: Kind): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${k.group}` },
    spec: {
      group: k.group, scope: 'Namespaced',
      names: { kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.plural.slice(0, -1) },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

const T0 = '2026-01-01T00:00:00Z';

/** A reconciled resource's usual status: observedGeneration, a phase, Ready and a second condition; 80% ready. */
function objectOf(k: Kind, index: number, namespaces: number): Record<string, unknown> {
  const shade = index % 10;
  const [ready, reason, phase] = shade < 8 ? ['True', 'Available', 'Running'] : shade === 8 ? ['False', 'ReconcileFailed', 'Failed'] : ['Unknown', 'Progressing', 'Pending'];
  return {
    apiVersion: `${k.group}/v1`, kind: k.kind,
    metadata: { name: `obj-${String(index).padStart(5, '0')}`, namespace: namespaceName(index % namespaces), labels: { app: `app-${index % 25}` } },
    spec: { replicas: 1 + (index % 5), image: `registry.example.com/app:${index % 7}`, paused: false },
    status: {
      observedGeneration: 1, phase,
      conditions: [
        { type: 'Ready', status: ready, reason, message: `${k.kind} is ${phase.toLowerCase()}`, lastTransitionTime: T0, observedGeneration: 1 },
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message: '', lastTransitionTime: T0 },
      ],
    },
  };
}

interface Results {
  command: string;
  /** YYYY-MM-DD of the run. */
  date: string;
  environment: string;
  kinds: number;
  objectsPerKind: number;
  objects: number;
  namespaces: number;
  load?: { seconds: number; objects: number };
  /** Every kind listed one after the other, per run. */
  listSequential?: { seconds: number; bytes: number; decodeSeconds: number; objects: number }[];
  /** Every kind listed at once, one connection each, per run. */
  listConcurrent?: { seconds: number; objects: number }[];
  /** cpuSeconds: crotel's own utime + stime from spawn to complete (what contention does not inflate). */
  start?: { listeningSeconds: number; readySeconds: number; completeSeconds: number; scrapes: number; cpuSeconds?: number; crotelListMaxSeconds?: number };
  synced?: ChildMemorySample;
  empty?: ChildMemorySample;
  scrapes?: { medianMs: number; minMs: number; maxMs: number; bytes: number; series: number };
  /** 1-minute load average when crotel started and once it had every object (the machine is shared). */
  loadAverage?: { atStart: number; atComplete?: number };
  errors: string[];
}

const log = progressLog('zero-config');

/** One health series of value 1 per object (the current state; the other states are 0). */
const isHealthOne = (line: string): boolean => line.startsWith('k8s_object_health{') && line.endsWith('} 1');

async function timeToHealth(crotel: BenchCrotel, objects: number, timeoutMs: number): Promise<NonNullable<Results['start']>> {
  const deadline = now() + timeoutMs;
  let readyAt: number | undefined;
  while (readyAt === undefined) {
    if (now() > deadline) throw new Error(`crotel not ready after ${timeoutMs} ms: ${crotel.crotel.output().slice(-2000)}`);
    const res = await fetch(`${crotel.url}/readyz`).catch(() => undefined);
    if (res) await res.text();
    if (res?.status === 200) readyAt = now();
    else await sleep(25);
  }
  // /readyz polled first (cheap): full scrapes compete with the lists for crotel's one thread.
  for (let scrapes = 1; ; scrapes++) {
    if (now() > deadline) throw new Error(`not every object's health on /metrics within ${timeoutMs} ms`);
    const result = await scrape(crotel.url, undefined, { count: isHealthOne });
    if (result.counted >= objects) {
      const cpuSeconds = cpuSecondsOf(crotel.pid);
      const listed = crotel.crotel.output().split('\n').filter((l) => l.includes('"msg":"listed"') && !l.includes('CustomResourceDefinition'))
        .map((l) => (JSON.parse(l) as { seconds: number }).seconds);
      return {
        listeningSeconds: (crotel.listeningAt - crotel.spawnedAt) / 1000,
        readySeconds: (readyAt - crotel.spawnedAt) / 1000,
        completeSeconds: (result.endedAt - crotel.spawnedAt) / 1000,
        scrapes,
        ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
        ...(listed.length > 0 ? { crotelListMaxSeconds: max(listed) } : {}),
      };
    }
    await sleep(100);
  }
}

function summary(r: Results): string {
  const n = r.objects;
  const seq = r.listSequential ? min(r.listSequential.map((l) => l.seconds)) : NaN;
  const conc = r.listConcurrent ? min(r.listConcurrent.map((l) => l.seconds)) : NaN;
  const floor = Math.min(seq, conc);
  const perObject = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined ? `${count(Math.round((a - b) / n))} B` : 'n/a');
  const rows: [string, string][] = [
    ['objects', `${count(r.kinds)} kinds × ${count(r.objectsPerKind)} = ${count(n)} in ${r.namespaces} namespaces`],
    ['bare paginated list, kind after kind', `${secs(seq)}${r.listSequential ? `, ${mib(r.listSequential[0]!.bytes)} of JSON` : ''}`],
    ['bare paginated list, all kinds at once', secs(conc)],
    ['start → /readyz 200', r.start ? secs(r.start.readySeconds) : 'n/a'],
    ['start → every object\'s health on /metrics', r.start ? `${secs(r.start.completeSeconds)} = **${(r.start.completeSeconds / floor).toFixed(2)}×** the faster list (process listening after ${secs(r.start.listeningSeconds)}; slowest kind's own list ${r.start.crotelListMaxSeconds !== undefined ? secs(r.start.crotelListMaxSeconds) : 'n/a'})` : 'n/a'],
    ['crotel CPU, spawn → complete', r.start?.cpuSeconds !== undefined ? `${secs(r.start.cpuSeconds)} (user + system, all threads; includes the full scrapes that polled for completion)` : 'n/a'],
    ['RSS after sync', r.synced ? `${mib(r.synced.proc.rss)} (peak ${mib(r.synced.proc.peakRss)}); ${r.empty ? `${mib(r.empty.proc.rss)} with the same ${r.kinds} kinds and no objects` : ''}` : 'n/a'],
    ['RSS per object', perObject(r.synced?.proc.rss, r.empty?.proc.rss)],
    ['heap after GC', r.synced ? `${mib(r.synced.heap.heapUsed)}${r.empty ? ` (${mib(r.empty.heap.heapUsed)} with no objects)` : ''}` : 'n/a'],
    ['heap per object', perObject(r.synced?.heap.heapUsed, r.empty?.heap.heapUsed)],
    ['full /metrics scrape', r.scrapes ? `${ms(r.scrapes.medianMs)} median, ${count(r.scrapes.series)} series, ${mib(r.scrapes.bytes)}` : 'n/a'],
  ];
  const table = ['| figure | measured |', '|---|---|', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join('\n');
  const load = r.loadAverage ? `; 1-min load average ${r.loadAverage.atStart.toFixed(1)} at crotel's start, ${r.loadAverage.atComplete?.toFixed(1) ?? 'n/a'} when complete` : '';
  return `${r.command}\n${r.environment}${load}\n\n${table}\n${r.errors.length ? `\nerrors:\n${r.errors.map((e) => `- ${e}`).join('\n')}\n` : ''}`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kinds: { type: 'string', default: '50' },
      'objects-per-kind': { type: 'string', default: '2000' },
      namespaces: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '48' },
      'page-size': { type: 'string', default: '500' },
      lists: { type: 'string', default: '2' },
      scrapes: { type: 'string', default: '3' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const flag = (name: Exclude<keyof typeof values, 'json' | 'help'>): number => Math.floor(numberFlag(name, values[name]));
  const K = flag('kinds');
  const M = flag('objects-per-kind');
  const namespaces = flag('namespaces');
  const pageSize = flag('page-size');
  const N = K * M;
  const kinds = kindsOf(K);
  const results: Results = {
    command: commandLine('zero-config', argv),
    date: new Date().toISOString().slice(0, 10),
    environment: `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`,
    kinds: K, objectsPerKind: M, objects: N, namespaces, errors: [],
  };
  const step = stepRunner(results.errors, log);
  const dir = makeTempDir('crotel-bench-zc-');
  let cp: ControlPlane | undefined;
  let api: ApiClient | undefined;
  let crotel: BenchCrotel | undefined;
  try {
    log(`starting the control plane (etcd + kube-apiserver) in ${dir}`);
    cp = await startControlPlane();
    const version = JSON.parse((await cp.raw('GET', '/version')).body) as { gitVersion?: string };
    results.environment += `, kube-apiserver ${version.gitVersion ?? '?'}`;
    api = new ApiClient(cp, flag('concurrency'));
    const client = api;

    // 1. CRDs and objects
    log(`1. ${K} CRDs, then ${count(N)} objects in ${namespaces} namespaces`);
    await forEachConcurrent(K, 8, async (i) => {
      const k = kinds[i]!;
      await withRetry(`CRD ${k.plural}.${k.group}`, () => client.send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crdOf(k)), (s) => s === 201 || s === 409);
    });
    for (const k of kinds) {
      await waitFor(`${k.plural}.${k.group} served`, async () => (await client.send('GET', `/apis/${k.group}/v1/${k.plural}?limit=1`)).status === 200, 60_000, 200);
    }
    await ensureNamespaces(api, namespaces);
    const loadStarted = now();
    let done = 0;
    await forEachConcurrent(N, flag('concurrency'), async (i) => {
      const k = kinds[i % K]!;
      const object = objectOf(k, Math.floor(i / K), namespaces);
      const ns = (object.metadata as { namespace: string }).namespace;
      await withRetry(`create ${k.kind} ${i}`, () => client.send('POST', `/apis/${k.group}/v1/namespaces/${ns}/${k.plural}`, object), (s) => s === 201 || s === 409);
      if (++done % 10_000 === 0) log(`   … ${count(done)} created`);
    });
    results.load = { seconds: (now() - loadStarted) / 1000, objects: N };
    log(`   loaded in ${secs(results.load.seconds)} (${rate(N / results.load.seconds)})`);

    // 2. The floor: bare paginated lists
    results.listSequential = await step('bare list, kind after kind', async () => {
      const runs: NonNullable<Results['listSequential']> = [];
      for (let r = 0; r < flag('lists'); r++) {
        const started = now();
        let bytes = 0;
        let decode = 0;
        let objects = 0;
        for (const k of kinds) {
          const l = await bareList(client, pageSize, undefined, `/apis/${k.group}/v1/${k.plural}`);
          bytes += l.bytes;
          decode += l.decodeSeconds;
          objects += l.objects;
        }
        if (objects !== N) throw new Error(`listed ${objects} objects, expected ${N}`);
        runs.push({ seconds: (now() - started) / 1000, bytes, decodeSeconds: decode, objects });
        log(`2. bare list, kind after kind, run ${r + 1}: ${secs(runs[r]!.seconds)}, ${mib(bytes)} (JSON.parse ${secs(decode)})`);
      }
      return runs;
    });
    const controlPlane = cp;
    results.listConcurrent = await step('bare list, all kinds at once', async () => {
      const runs: NonNullable<Results['listConcurrent']> = [];
      for (let r = 0; r < flag('lists'); r++) {
        const wide = new ApiClient(controlPlane, K);
        try {
          const started = now();
          const lists: ListResult[] = await Promise.all(kinds.map((k) => bareList(wide, pageSize, undefined, `/apis/${k.group}/v1/${k.plural}`)));
          const objects = lists.reduce((a, l) => a + l.objects, 0);
          if (objects !== N) throw new Error(`listed ${objects} objects, expected ${N}`);
          runs.push({ seconds: (now() - started) / 1000, objects });
          log(`2. bare list, all ${K} kinds at once, run ${r + 1}: ${secs(runs[r]!.seconds)}`);
        } finally {
          await wide.close();
        }
      }
      return runs;
    });

    // 3. crotel with no config: start → every object's health
    const kubeconfig = cp.kubeconfigPath;
    results.loadAverage = { atStart: loadavg()[0]! };
    crotel = await step('start crotel', () => startBenchCrotel({ config: undefined, kubeconfig, dir }));
    if (crotel) {
      const child = crotel;
      results.start = await step('start → health', () => timeToHealth(child, N, 600_000));
      results.loadAverage.atComplete = loadavg()[0]!;
      if (results.start) log(`3. start → /readyz ${secs(results.start.readySeconds)}, every object's health ${secs(results.start.completeSeconds)}`);
      // 4. Memory after sync
      if (results.start) results.synced = await step('memory after sync', () => childMemory(child));
      if (results.synced) log(`4. after sync: RSS ${mib(results.synced.proc.rss)} (peak ${mib(results.synced.proc.peakRss)}), heap after GC ${mib(results.synced.heap.heapUsed)}`);
      // 5. Full scrapes
      results.scrapes = await step('scrapes', async () => {
        const runs = [];
        for (let i = 0; i < flag('scrapes'); i++) runs.push(await scrape(child.url, undefined, { count: isHealthOne }));
        const times = runs.map((s) => s.ms);
        const last = runs[runs.length - 1]!;
        if (last.counted < N) throw new Error(`a full scrape had ${last.counted} objects' health, expected ${N}`);
        return { medianMs: median(times), minMs: min(times), maxMs: max(times), bytes: last.bytes, series: last.series };
      });
      if (results.scrapes) log(`5. scrape: median ${ms(results.scrapes.medianMs)}, ${count(results.scrapes.series)} series, ${mib(results.scrapes.bytes)}`);
      await child.stop();
      crotel = undefined;
    }

    // 4 (baseline): the same kinds selected in an empty namespace — the process's fixed share with K reflectors.
    const emptyConfig = join(dir, 'zero-config-empty.yaml');
    writeFileSync(emptyConfig, 'resources:\n  - group: "*"\n    namespaces: [bench-empty]\n');
    results.empty = await step('memory with no objects', async () => {
      const empty = await startBenchCrotel({ config: emptyConfig, kubeconfig, dir });
      try {
        await waitFor('crotel with no objects ready', async () => (await fetch(`${empty.url}/readyz`)).status === 200, 120_000, 50);
        const watched = empty.crotel.output().split('\n').filter((l) => l.includes('"msg":"listed"') && !l.includes('CustomResourceDefinition')).length;
        if (watched < K) throw new Error(`the empty baseline watches ${watched} collections, expected ${K}`);
        return await childMemory(empty);
      } finally {
        await empty.stop();
      }
    });
    if (results.empty) log(`4. no objects (${K} kinds in an empty namespace): RSS ${mib(results.empty.proc.rss)}, heap after GC ${mib(results.empty.heap.heapUsed)}`);
  } catch (error) {
    results.errors.push(error instanceof Error ? error.message : String(error));
    log(`FAILED ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  } finally {
    await crotel?.stop().catch(() => {});
    await api?.close().catch(() => {});
    await cp?.stop().catch(() => {});
    removeTempDir(dir);
  }
  return finish(results, summary(results), values.json);
}

export const scenario: Scenario = { name: 'zero-config', help: HELP, run: main };
