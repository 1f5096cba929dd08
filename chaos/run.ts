// The chaos run: real etcd + kube-apiserver, the Collector with the shipped config, Jaeger v2 as
// the trace store, two crotel replicas with leader election each behind a fault-injecting proxy,
// a writer journaling every write, and a seeded fault schedule. Prints the verdict as figures
// and exits non-zero on any mismatch.
//   npm run chaos -- --seed 7 --duration 120 --objects 200 [--variant sharded]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../src/config/index.ts';
import { compileConfig } from '../src/extract/index.ts';
import { binaryPath } from '../harness/binaries.ts';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../harness/crotel-process.ts';
import { applyCrds, ensureNamespace } from '../harness/kube.ts';
import { DB_PATH } from '../harness/databaseinstances.ts';
import { attributesOf, startOtlpSink, type OtlpSink } from '../harness/otlp-sink.ts';
import { freePort, makeTempDir, removeTempDir, startProcess, waitFor, type Managed } from '../harness/processes.ts';
import { parseExposition, pick, seriesKey, type SeriesMap } from '../harness/prom-text.ts';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.ts';
import { explainLosses, type LossCause } from './explain.ts';
import { FAULT_KINDS, planFaults, type FaultKind, type FaultRecord } from './faults.ts';
import { expectedSeries, expectedSpans, OBJECT_SERIES, seriesOf, spanKeys } from './oracle.ts';
import { seeded, type Rng } from './rng.ts';
import { Writer } from './writer.ts';
import { ownedBy, type Shard } from '../src/state/shard.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const CRD = join(ROOT, 'examples/databaseinstance/crd.yaml');
const REFERENCE = join(ROOT, 'examples/databaseinstance/crotel.yaml');
const COLLECTOR_CONFIG = join(ROOT, 'otel-collector/config.yaml');
const NS = 'chaos';
const LEASE_NS = 'chaos-system';
const LEASE_SECONDS = 6;
/** The elector's default renew deadline for this lease: a leader that cannot renew for this long steps down. */
const RENEW_DEADLINE_MS = (LEASE_SECONDS * 1000 * 2) / 3;
const SPAN_QUEUE = 300;

export interface ChaosOptions {
  readonly seed: number;
  readonly durationS: number;
  readonly objects: number;
  readonly settleS?: number;
  /** Default: Jaeger when its binary is built, else the sink. */
  readonly traceStore?: 'jaeger' | 'sink';
  /** Writes the journal, faults, windows and span comparison here (for a failing run). */
  readonly dumpPath?: string;
  readonly log?: (line: string) => void;
  /**
   * `ha` (default): two replicas of one Lease, one leading. `sharded`: a sharded pair, each replica
   * serving half the objects (--shard I --total-shards 2) and leading its own shard's Lease: the
   * series are checked per shard, the spans as their union.
   */
  readonly variant?: 'ha' | 'sharded';
}

export interface Verdict {
  readonly ok: boolean;
  readonly figures: Record<string, number | string>;
  readonly problems: string[];
  readonly faults: FaultRecord[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The highest RSS and fd count sampled in the first and in the last quarter of [from, to]. */
function quarters(samples: readonly { t: number; rss: number; fds: number }[], from: number, to: number): [{ rss: number; fds: number }, { rss: number; fds: number }] {
  const quarter = (to - from) / 4;
  const maxOf = (lo: number, hi: number): { rss: number; fds: number } => {
    const inside = samples.filter((x) => x.t >= lo && x.t <= hi);
    return { rss: Math.max(0, ...inside.map((x) => x.rss)), fds: Math.max(0, ...inside.map((x) => x.fds)) };
  };
  return [maxOf(from, from + quarter), maxOf(to - quarter, to)];
}

/** Loss windows the design documents; a missing span that closed in one is explained, not a defect. */
interface Window {
  readonly from: number;
  readonly to: number;
  readonly why: string;
  /**
   * `closed`: a span that closed in it had no one to emit it (no leader, a leader killed with
   * its queue). `unseen`: a replica's blind spell (down until it has listed again, or relisting
   * after a 410): a state that began and ended in it was never observed by that replica, so its
   * span is lost if that replica was the one leading when it closed.
   */
  readonly mode: 'closed' | 'unseen';
  /** Explains at most as many missing spans as crotel counted in crotel_spans_dropped_total. */
  readonly countedDrops?: boolean;
  /** Explains at most this many missing spans (what a killed leader had queued, by its crotel_spans_queued). */
  budget?: number;
  /** Sharded: the window concerns only the objects of one shard. */
  readonly owns?: (uid: string) => boolean;
}

/** One crotel replica: its proxy to the apiserver, its process across restarts, its samples. */
class Replica {
  readonly name: string;
  readonly proxy: TcpProxy;
  proc?: CrotelProcess;
  stopped = false;
  /** Exits the injector caused (SIGKILL, SIGTERM); any other exit is a crash. */
  expectedExit = false;
  readonly crashes: string[] = [];
  readonly outputs: string[] = [];
  peakRss = 0;
  peakFds = 0;
  /** RSS and open fds sampled every 5 s, with the time: bounded means no growth from the first quarter of the run to the last. */
  readonly samples: { t: number; rss: number; fds: number }[] = [];
  /** The pid of each incarnation, with its start time: which process sent a span. */
  readonly incarnations: { pid: number; at: number }[] = [];
  /** Spans dropped per reason, summed over incarnations (the last count seen per incarnation). */
  private readonly drops = new Map<string, number>();
  /** crotel_spans_queued at the last two scrapes: what a SIGKILL loses. */
  private queuedSamples: number[] = [];
  /** Whether the last scrape saw the span queue (and the handover hold) empty. */
  drained = false;
  private dropsNow = new Map<string, number>();
  internalErrors = 0;
  /** When this replica alone reported leading (to: Infinity while it still does). */
  readonly led: { from: number; to: number }[] = [];
  readonly blind: Window[] = [];
  private blindSince?: number;
  private relists = 0;
  private readonly args: string[];
  private readonly env: Record<string, string>;
  /** The objects this replica serves (all, unless sharded). */
  readonly owns: (uid: string) => boolean;
  readonly sharded: boolean;

  constructor(name: string, proxy: TcpProxy, args: string[], env: Record<string, string>, shard?: Shard) {
    this.name = name;
    this.proxy = proxy;
    this.args = args;
    this.env = env;
    this.owns = ownedBy(shard ?? { index: 0, total: 1 });
    this.sharded = shard !== undefined;
  }

  async start(): Promise<void> {
    this.expectedExit = false;
    this.dropsNow = new Map();
    this.relists = 0; // a new process counts from 0
    const proc = await startCrotel({ args: this.args, env: this.env, waitReady: false });
    this.proc = proc;
    if (proc.child.pid !== undefined) this.incarnations.push({ pid: proc.child.pid, at: Date.now() });
    proc.child.once('exit', (code, signal) => {
      this.outputs.push(proc.output());
      if (!this.expectedExit) this.crashes.push(`${this.name} exited (code ${code}, signal ${signal})`);
    });
  }

  get alive(): boolean {
    return this.proc !== undefined && this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.alive) return;
    this.expectedExit = true;
    this.queuedSamples = [];
    this.blindSince ??= Date.now();
    if (this.stopped) this.cont();
    await this.proc!.stop(signal);
    for (const [reason, n] of this.dropsNow) this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);
    this.dropsNow = new Map();
  }

  stop(): void {
    if (!this.alive) return;
    this.proc!.child.kill('SIGSTOP');
    this.stopped = true;
  }

  cont(): void {
    if (!this.alive) return;
    this.proc!.child.kill('SIGCONT');
    this.stopped = false;
  }

  async scrape(timeoutMs = 1500): Promise<SeriesMap | undefined> {
    if (!this.alive || this.stopped) return undefined;
    try {
      const res = await fetch(`${this.proc!.url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return undefined;
      const series = parseExposition(await res.text());
      for (const [k, v] of pick(series, 'crotel_spans_dropped_total')) {
        const reason = /reason="([^"]*)"/.exec(k)?.[1];
        if (reason) this.dropsNow.set(reason, Math.max(this.dropsNow.get(reason) ?? 0, v));
      }
      for (const [, v] of pick(series, 'crotel_internal_errors_total')) this.internalErrors = Math.max(this.internalErrors, v);
      let queued = 0;
      for (const [, v] of pick(series, 'crotel_spans_queued')) queued += v;
      this.queuedSamples = [...this.queuedSamples.slice(-1), queued];
      this.drained = queued === 0;
      return series;
    } catch {
      return undefined;
    }
  }

  /** The spans its queue held lately (the larger of the last two samples). */
  get queuedLately(): number {
    return Math.max(0, ...this.queuedSamples);
  }

  /** Spans this replica counted dropped, over all its processes. */
  dropsFor(reasons: readonly string[]): number {
    let n = 0;
    for (const reason of reasons) n += (this.drops.get(reason) ?? 0) + (this.dropsNow.get(reason) ?? 0);
    return n;
  }

  /** True when this replica's term ended (it led at the last sample, not now). */
  noteLeading(leading: boolean, now: number): boolean {
    const last = this.led.at(-1);
    if (leading && last?.to !== Infinity) this.led.push({ from: now, to: Infinity });
    else if (!leading && last?.to === Infinity) {
      last.to = now;
      return true;
    }
    return false;
  }

  /** Blind spells from a scrape: a relist of an object watch since the last one, or the end of a restart (every watch up). */
  noteRelists(series: SeriesMap | undefined, now: number): void {
    if (!series) return;
    let relists = 0;
    for (const [k, v] of pick(series, 'crotel_relists_total')) if (!k.includes('Event')) relists += v;
    // The watch ended at most a probe period and its timeout before the relist is seen.
    if (relists > this.relists) this.blind.push({ from: now - 20_000, to: now + 1000, why: 'relist after 410 (states written and overwritten meanwhile never seen)', mode: 'unseen', owns: this.owns });
    this.relists = relists;
    const up = pick(series, 'crotel_watch_up');
    if (this.blindSince !== undefined && up.size > 0 && [...up.values()].every((v) => v === 1)) {
      this.blind.push({ from: this.blindSince, to: now, why: 'replica down (states meanwhile never seen by it)', mode: 'unseen', owns: this.owns });
      this.blindSince = undefined;
    }
  }

  /** Was this replica the one leading at t (give or take a sample)? */
  ledAt(t: number): boolean {
    return this.led.some((i) => t >= i.from - 750 && t <= i.to + 750);
  }

  sampleProcess(): void {
    const pid = this.proc?.child.pid;
    if (!pid || !this.alive) return;
    try {
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      const fds = readdirSync(`/proc/${pid}/fd`).length;
      this.peakRss = Math.max(this.peakRss, rss);
      this.peakFds = Math.max(this.peakFds, fds);
      this.samples.push({ t: Date.now(), rss, fds });
    } catch {
      // exited between the check and the read
    }
  }

  output(): string {
    return [...this.outputs, this.alive ? this.proc!.output() : ''].join('\n');
  }
}

/** The object series of the newest OTLP export from one replica, in Prometheus naming (as crotel names them). */
function latestOtlpObjects(sink: OtlpSink, instance: string): SeriesMap | undefined {
  for (let i = sink.metrics.length - 1; i >= 0; i--) {
    let series: SeriesMap | undefined;
    for (const rm of sink.metrics[i]!.resourceMetrics ?? []) {
      if (attributesOf(rm.resource?.attributes)['service.instance.id'] !== instance) continue;
      for (const sm of rm.scopeMetrics ?? []) {
        if ((sm as { scope?: { name?: string } }).scope?.name !== 'crotel.objects') continue;
        series ??= new Map();
        for (const metric of sm.metrics ?? []) {
          for (const point of metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? []) {
            series.set(seriesKey(metric.name, attributesOf(point.attributes)), Number(point.asDouble ?? point.asInt));
          }
        }
      }
    }
    if (series) return series;
  }
  return undefined;
}

function isLeader(series: SeriesMap | undefined): boolean {
  if (!series) return false;
  for (const [k, v] of series) if (k.startsWith('crotel_leader') && v === 1) return true;
  return false;
}

interface OtlpJsonSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; startTimeUnixNano: string; endTimeUnixNano?: string; attributes?: { key: string; value: { stringValue?: string } }[]; /** process.pid of the resource that sent it (which replica, which incarnation). */ pid?: number }

interface OtlpJsonResourceSpans { resource?: { attributes?: { key: string; value: { intValue?: string | number; stringValue?: string } }[] }; scopeSpans?: { spans?: OtlpJsonSpan[] }[] }

/** The spans of OTLP/JSON resourceSpans, each marked with its sender's pid. */
function spansWithPid(resourceSpans: readonly OtlpJsonResourceSpans[]): OtlpJsonSpan[] {
  return resourceSpans.flatMap((r) => {
    const pid = Number(r.resource?.attributes?.find((a) => a.key === 'process.pid')?.value.intValue);
    return (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []).map((span) => (Number.isFinite(pid) ? { ...span, pid } : span));
  });
}

async function jaegerSpans(url: string, since: number): Promise<OtlpJsonSpan[]> {
  const search = new URLSearchParams({
    'query.service_name': 'crotel',
    'query.start_time_min': new Date(since - 3_600_000).toISOString(),
    'query.start_time_max': new Date(Date.now() + 3_600_000).toISOString(),
    'query.num_traces': '1000000',
  });
  const res = await fetch(`${url}/api/v3/traces?${search}`);
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`Jaeger: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { result?: { resourceSpans?: OtlpJsonResourceSpans[] } };
  return spansWithPid(body.result?.resourceSpans ?? []);
}

function jaegerConfig(dir: string, ports: { otlpGrpc: number; otlpHttp: number; queryHttp: number; queryGrpc: number }): string {
  const config = {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
    },
    extensions: {
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 1_000_000 } } } },
      jaeger_query: { storage: { traces: 'memstore' }, http: { endpoint: `127.0.0.1:${ports.queryHttp}` }, grpc: { endpoint: `127.0.0.1:${ports.queryGrpc}` } },
    },
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${ports.otlpGrpc}` }, http: { endpoint: `127.0.0.1:${ports.otlpHttp}` } } } },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  };
  const path = join(dir, 'jaeger.yaml');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function jaegerBuilt(): boolean {
  try {
    binaryPath('jaeger');
    return true;
  } catch {
    return false;
  }
}

function storeCollectorConfig(dir: string, grpcPort: number, sink: string): string {
  const config = {
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${grpcPort}` } } } },
    exporters: { otlp_http: { endpoint: sink, encoding: 'json', compression: 'none' } },
    service: { telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } }, pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp_http'] } } },
  };
  const path = join(dir, 'trace-store.yaml');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

export async function runChaos(options: ChaosOptions): Promise<Verdict> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Separate streams, so the fault schedule replays exactly whatever the writes' timing.
  const plan = planFaults(seeded(options.seed), options.durationS * 1000, 20_000);
  const rng: Rng = seeded(options.seed + 1);
  const writerRng: Rng = seeded(options.seed + 2);
  const started = Date.now();
  const at = (): string => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;
  const say = (line: string): void => log(`[${at()}] ${line}`);
  const dir = makeTempDir('crotel-chaos-');
  const managed: Managed[] = [];
  const proxies: TcpProxy[] = [];
  const replicas: Replica[] = [];
  let cp: ControlPlane | undefined;
  let metricsSink: OtlpSink | undefined;
  let traceSink: OtlpSink | undefined;
  const useJaeger = options.traceStore === 'jaeger' || (options.traceStore === undefined && jaegerBuilt());
  let collector: Managed | undefined;
  const problems: string[] = [];
  const faults: FaultRecord[] = [];
  const windows: Window[] = [];
  try {
    say(`seed ${options.seed}, ${options.durationS} s, ${options.objects} objects`);
    cp = await startControlPlane();
    await applyCrds(cp, CRD);
    await ensureNamespace(cp, NS);
    await ensureNamespace(cp, LEASE_NS);

    // Jaeger v2, the trace store; the Collector with the shipped config in front of it. Without
    // a Jaeger binary (--trace-store sink, or not built yet) a second Collector stands in for the
    // store and hands every span it receives to an OTLP/JSON sink, where each delivery is counted.
    const [jOtlp, jHttp, jQuery, jQueryGrpc] = [await freePort(), await freePort(), await freePort(), await freePort()];
    let readSpans: () => Promise<OtlpJsonSpan[]>;
    if (useJaeger) {
      const jaeger = startProcess('jaeger', binaryPath('jaeger'), ['--config', jaegerConfig(dir, { otlpGrpc: jOtlp, otlpHttp: jHttp, queryHttp: jQuery, queryGrpc: jQueryGrpc })], dir);
      managed.push(jaeger);
      const jaegerUrl = `http://127.0.0.1:${jQuery}`;
      await waitFor('Jaeger query', async () => (await fetch(`${jaegerUrl}/api/v3/services`)).ok, 30_000);
      readSpans = () => jaegerSpans(jaegerUrl, started);
    } else {
      traceSink = await startOtlpSink();
      managed.push(startProcess('trace-store', binaryPath('otelcol-crotel'), [`--config=${storeCollectorConfig(dir, jOtlp, traceSink.endpoint)}`], dir));
      const sink = traceSink;
      readSpans = async () => sink.spansWithResource().map(({ span, resource }) => ({ ...(span as OtlpJsonSpan), pid: Number(resource['process.pid']) }));
    }
    say(`trace store: ${useJaeger ? 'Jaeger v2' : 'Collector → OTLP sink'}`);
    metricsSink = await startOtlpSink();
    const [cGrpc, cHttp, cTel] = [await freePort(), await freePort(), await freePort()];
    const collectorEnv = {
      ...process.env,
      OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${cGrpc}`, OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${cHttp}`,
      OTELCOL_TELEMETRY_HOST: '127.0.0.1', OTELCOL_TELEMETRY_PORT: String(cTel),
      PROMETHEUS_OTLP_METRICS_ENDPOINT: `${metricsSink.endpoint}/v1/metrics`,
      TRACES_OTLP_GRPC_ENDPOINT: `127.0.0.1:${jOtlp}`,
    };
    const startCollector = async (): Promise<Managed> => {
      const proc = startProcess('otelcol', binaryPath('otelcol-crotel'), [
        `--config=${COLLECTOR_CONFIG}`,
        // The one change to the shipped file: OTLP/JSON to the test sink instead of protobuf to Prometheus.
        '--config=yaml:exporters::otlp_http/prometheus::encoding: json',
      ], dir, collectorEnv);
      await waitFor('Collector OTLP/HTTP', async () => (await fetch(`http://127.0.0.1:${cHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).ok, 30_000);
      return proc;
    };
    collector = await startCollector();
    const collectorProxy = await startTcpProxy({ upstreamPort: cHttp });
    proxies.push(collectorProxy);

    // The shipped reference config with a small span queue, so a long Collector outage overflows it.
    const configPath = join(dir, 'crotel.yaml');
    writeFileSync(configPath, `${readFileSync(REFERENCE, 'utf8')}\ntraces:\n  queueSize: ${SPAN_QUEUE}\n`);
    const resource = compileConfig(loadConfigFile(configPath))[0]!;
    const pki = { cert: readFileSync(join(cp.dir, 'serving.crt'), 'utf8'), key: readFileSync(join(cp.dir, 'serving.key'), 'utf8'), ca: cp.caCertPem };
    const apiPort = Number(new URL(cp.server).port);
    const sharded = options.variant === 'sharded';
    for (const [i, name] of ['a', 'b'].entries()) {
      const proxy = await startTcpProxy({ upstreamPort: apiPort, tls: pki });
      proxies.push(proxy);
      const kubeconfig = JSON.parse(readFileSync(cp.kubeconfigPath, 'utf8')) as { clusters: { cluster: { server: string } }[] };
      kubeconfig.clusters[0]!.cluster.server = `https://127.0.0.1:${proxy.port}`;
      const kubeconfigPath = join(dir, `replica-${name}.kubeconfig`);
      writeFileSync(kubeconfigPath, JSON.stringify(kubeconfig), { mode: 0o600 });
      replicas.push(new Replica(name, proxy, [
        '--config', configPath, '--kubeconfig', kubeconfigPath, '--leader-elect', '--leader-elect-namespace', LEASE_NS,
        // Sharded: each shard's own Lease (crotel-shard-I, the default name).
        ...(sharded ? ['--shard', String(i), '--total-shards', '2'] : ['--leader-elect-name', 'crotel-chaos']),
        '--lease-duration', String(LEASE_SECONDS), '--shutdown-timeout', '10',
      ], {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorProxy.port}`,
        OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=replica-${name}`,
        OTEL_METRIC_EXPORT_INTERVAL: '5000',
        CROTEL_LOG_LEVEL: 'info',
      }, sharded ? { index: i, total: 2 } : undefined));
    }
    for (const r of replicas) await r.start();
    say(`control plane, ${useJaeger ? 'Jaeger' : 'trace store'}, Collector and two replicas up`);

    // Samplers: who leads and who relisted (every 500 ms), process size (every 5 s).
    let sampling = true;
    let leader: Replica | undefined;
    // One Lease (ha), or one per shard (sharded: its replica is the only candidate).
    const groups: Replica[][] = sharded ? replicas.map((r) => [r]) : [replicas];
    const noLeaderSince = groups.map((): number | undefined => Date.now());
    const leaderSampler = (async () => {
      while (sampling) {
        const scrapes = await Promise.all(replicas.map((r) => r.scrape()));
        const now = Date.now();
        groups.forEach((group, g) => {
          const leaders = group.filter((r) => isLeader(scrapes[replicas.indexOf(r)]));
          const owns = sharded ? group[0]!.owns : undefined;
          const only = leaders.length === 1 ? leaders[0] : undefined;
          if (!sharded) leader = only;
          if (leaders.length > 1) problems.push(`${at()}: two replicas report leading at once`);
          for (const r of group) {
            // A term that ends: the leader may not have seen its last changes (its apiserver
            // connection failed first, it was frozen, or it stopped watching to shut down), and its
            // successor reports only what came after its own takeover (LeaderElector.leadsAt).
            if (r.noteLeading(r === only, now)) windows.push({ from: now - RENEW_DEADLINE_MS - 1000, to: now + 500, why: 'the last seconds of a leader\'s term (not yet seen when it stepped down)', mode: 'closed', ...(owns ? { owns } : {}) });
          }
          if (leaders.length === 0) noLeaderSince[g] ??= now;
          else if (noLeaderSince[g] !== undefined) {
            windows.push({ from: noLeaderSince[g]! - 1000, to: now + 1000, why: sharded ? 'shard without its replica (down or not leading)' : 'no leader (takeover gap)', mode: 'closed', ...(owns ? { owns } : {}) });
            noLeaderSince[g] = undefined;
          }
        });
        scrapes.forEach((s, i) => replicas[i]!.noteRelists(s, now));
        await sleep(500);
      }
    })();
    const procSampler = setInterval(() => replicas.forEach((r) => r.sampleProcess()), 5000);
    // The Lease as the replicas wrote it (holder, spans-through, unseen), for the dump: which term
    // owned a missing span's change.
    const leaseHistory: { at: number; rv: string; holder: string; through?: string; unseen?: string }[] = [];
    const leaseSampler = (async () => {
      while (sampling) {
        const res = sharded ? undefined : await cp!.raw('GET', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/crotel-chaos`).catch(() => undefined);
        if (res?.status === 200) {
          const lease = JSON.parse(res.body) as { metadata: { resourceVersion: string; annotations?: Record<string, string> }; spec: { holderIdentity?: string } };
          if (leaseHistory.at(-1)?.rv !== lease.metadata.resourceVersion) {
            leaseHistory.push({
              at: Date.now(), rv: lease.metadata.resourceVersion, holder: lease.spec.holderIdentity ?? '',
              through: lease.metadata.annotations?.['crotel.io/spans-through'], unseen: lease.metadata.annotations?.['crotel.io/unseen'],
            });
          }
        }
        await sleep(250);
      }
    })();
    await waitFor(sharded ? 'both shards led' : 'a leader', async () => (sharded ? noLeaderSince.every((t) => t === undefined) : leader !== undefined), 60_000, 200);

    // Four workers, each writing about every 200 ms: ~15–20 writes/s, whatever the object count.
    const writer = new Writer(cp, writerRng, NS, options.objects, 200);
    writer.start(4);
    // The schedule runs from here: its first 10 % lets the writes get going.
    const writesFrom = Date.now();
    say(`writer started (${options.objects} objects, 4 workers)`);

    // Sharded: both replicas lead (their shards); the fault's victim is drawn from the seed.
    const target = (): Replica => (sharded ? rng.pick(replicas) : leader ?? replicas[0]!);
    const follower = (): Replica | undefined => (sharded ? rng.pick(replicas) : replicas.find((r) => r !== leader && r.alive));
    let collectorDownSince: number | undefined;
    const inject = async (kind: FaultKind): Promise<string> => {
      switch (kind) {
        case 'kill-leader':
        case 'kill-follower': {
          const victim = kind === 'kill-leader' ? target() : follower() ?? replicas[1]!;
          const wasLeader = sharded || victim === leader;
          const owns = sharded ? { owns: victim.owns } : {};
          const queued = victim.queuedLately;
          await victim.kill('SIGKILL');
          const t = Date.now();
          // What the leader had queued but not exported dies with it: up to what its queue held at
          // the last samples (a slow Collector backs it up, and a watch that was behind fills it with
          // changes that closed long before), and whatever it made since the last sample.
          if (wasLeader) {
            windows.push({ from: t - 1500, to: t + 500, why: 'leader killed with spans queued (made since the last sample)', mode: 'closed', ...owns });
            if (queued > 0) windows.push({ from: t - 120_000, to: t, why: 'leader killed with spans queued (≤ its crotel_spans_queued)', mode: 'closed', budget: queued, ...owns });
          }
          const pause = rng.int(1000, 5000);
          await sleep(pause);
          await victim.start();
          return `replica ${victim.name}${wasLeader ? ' (leader)' : ''}, restarted after ${pause} ms`;
        }
        case 'stop-leader': {
          const victim = target();
          const ms = LEASE_SECONDS * 1000 + rng.int(2000, 6000);
          victim.stop();
          await sleep(ms);
          victim.cont();
          return `replica ${victim.name} SIGSTOP for ${ms} ms`;
        }
        case 'apiserver-restart': {
          const down = rng.int(1000, 3000);
          await writer.pause();
          await cp!.restartApiserver(down);
          writer.resume();
          return `down ${down} ms (writes held)`;
        }
        case 'etcd-compact': {
          const revision = await cp!.compactEtcd();
          const restart = rng.chance(0.5);
          if (restart) {
            await writer.pause();
            await cp!.restartApiserver(500);
            writer.resume();
          } else {
            for (const r of replicas) r.proxy.resetAll();
          }
          // Every resumed watch now gets 410 and relists; the sampler records each relist as a blind spell.
          return `compacted at revision ${revision}, then ${restart ? 'apiserver restart' : 'connections reset'}`;
        }
        case 'proxy-reset': {
          const n = replicas.reduce((sum, r) => sum + r.proxy.resetAll(), 0);
          return `${n} connections reset`;
        }
        case 'proxy-cut': {
          const n = replicas.reduce((sum, r) => sum + r.proxy.cutAll(rng), 0);
          return `${n} connections cut mid-stream`;
        }
        case 'proxy-stall': {
          const victim = target();
          const n = victim.proxy.stallAll();
          return `${n} connections of replica ${victim.name} stalled (half-open)`;
        }
        case 'proxy-reject': {
          const status = rng.pick([429, 503]);
          const ms = rng.int(3000, 8000);
          for (const r of replicas) {
            r.proxy.reject(status);
            r.proxy.resetAll();
          }
          await sleep(ms);
          for (const r of replicas) r.proxy.reject(0);
          return `HTTP ${status} for ${ms} ms`;
        }
        case 'proxy-delay': {
          const delay = rng.int(200, 1500);
          const ms = rng.int(5000, 10_000);
          for (const r of replicas) r.proxy.delay(delay);
          await sleep(ms);
          for (const r of replicas) r.proxy.delay(0);
          return `${delay} ms latency for ${ms} ms`;
        }
        case 'collector-kill': {
          const ms = rng.int(15_000, 25_000);
          collectorDownSince = Date.now();
          await collector!.stop(3000);
          await sleep(ms);
          collector = await startCollector();
          // The queue drops its oldest spans: any span handed out before the Collector was back
          // can be among them, also one that closed before the outage but was observed late (by a
          // replica that was relisting). Only as many as crotel counted dropped are explained.
          windows.push({ from: collectorDownSince - 30_000, to: Date.now() + 5000, why: 'dropped by the full span queue while the Collector was down (counted)', mode: 'closed', countedDrops: true });
          collectorDownSince = undefined;
          return `down ${ms} ms`;
        }
        case 'collector-slow': {
          const delay = rng.int(2000, 4000);
          const ms = rng.int(8000, 12_000);
          collectorProxy.delay(delay);
          await sleep(ms);
          collectorProxy.delay(0);
          return `answers ${delay} ms late for ${ms} ms`;
        }
        case 'sigterm-under-load': {
          const victim = target();
          writer.burst(20, 6000);
          await sleep(2000);
          await victim.kill('SIGTERM');
          const pause = rng.int(1000, 3000);
          await sleep(pause);
          await victim.start();
          return `replica ${victim.name} SIGTERM during a write burst, restarted after ${pause} ms`;
        }
      }
    };

    const durationMs = options.durationS * 1000;
    for (const fault of plan) {
      const wait = writesFrom + fault.at - Date.now();
      if (wait > 0) await sleep(wait);
      const record: FaultRecord = { kind: fault.kind, start: Date.now(), end: 0, detail: '' };
      faults.push(record);
      try {
        record.detail = await inject(fault.kind);
      } catch (error) {
        record.detail = `failed to inject: ${String(error)}`;
        problems.push(`fault ${fault.kind} could not be injected: ${String(error)}`);
      }
      record.end = Date.now();
      say(`fault ${fault.kind}: ${record.detail} (${record.end - record.start} ms)`);
    }
    const remaining = writesFrom + durationMs - Date.now();
    if (remaining > 0) await sleep(remaining);
    await writer.stop();
    const writesEnd = Date.now();
    const lastFault = Math.max(...faults.map((f) => f.end));
    say(`writes stopped: ${writer.journal.length} written, ${writer.failures} refused`);

    // Settle: both replicas converge on the journal's final state.
    const expected = await expectedSeries(resource, writer.journal);
    // What each replica serves: all of it, or its shard's objects.
    const expectedOf = new Map<Replica, SeriesMap>();
    for (const r of replicas) expectedOf.set(r, r.sharded ? await expectedSeries(resource, writer.journal, r.owns) : expected);
    const mismatches = (r: Replica, got: SeriesMap | undefined): string[] => {
      if (!got) return ['no scrape'];
      const want = expectedOf.get(r)!;
      const objects = pick(got, OBJECT_SERIES);
      const out: string[] = [];
      for (const [k, v] of want) if (objects.get(k) !== v) out.push(`${k}: expected ${v}, got ${objects.get(k) ?? 'absent'}`);
      for (const [k, v] of objects) if (!want.has(k)) out.push(`${k}: unexpected (${v})`);
      return out;
    };
    const watchesUp = (got: SeriesMap | undefined): boolean => !!got && [...pick(got, 'crotel_watch_up')].every(([, v]) => v === 1) && pick(got, 'crotel_watch_up').size > 0;
    let converged: number | undefined;
    const settleMs = (options.settleS ?? 90) * 1000;
    await waitFor('convergence', async () => {
      const scrapes = await Promise.all(replicas.map((r) => r.scrape(5000)));
      if (scrapes.every((s, i) => mismatches(replicas[i]!, s).length === 0 && watchesUp(s))) {
        converged = Date.now();
        return true;
      }
      return false;
    }, settleMs, 1000).catch(() => {});
    // Spans: wait until the trace store stops growing (queues drained, Collector batches out).
    let found: OtlpJsonSpan[] = [];
    let stableSince = Date.now();
    const drainDeadline = Date.now() + 60_000;
    for (;;) {
      const now = await readSpans();
      if (now.length !== found.length) stableSince = Date.now();
      found = now;
      if (Date.now() - stableSince > 5000 || Date.now() > drainDeadline) break;
      await sleep(1000);
    }
    sampling = false;
    await leaderSampler;
    await leaseSampler;
    clearInterval(procSampler);

    // The verdict. First the journal itself: its final state must be what the apiserver holds,
    // or a series mismatch below would blame crotel for the writer's bookkeeping.
    const listed = await cp.raw('GET', `${DB_PATH}/namespaces/${NS}/databaseinstances`);
    const served = listed.status === 200 ? await seriesOf(resource, (JSON.parse(listed.body) as { items: unknown[] }).items) : undefined;
    const journalDiffers: string[] = [];
    if (!served) journalDiffers.push(`the apiserver's list failed (HTTP ${listed.status})`);
    else {
      for (const [k, v] of expected) if (served.get(k) !== v) journalDiffers.push(`${k}: journal ${v}, apiserver ${served.get(k) ?? 'absent'}`);
      for (const [k, v] of served) if (!expected.has(k)) journalDiffers.push(`${k}: journal absent, apiserver ${v}`);
    }
    if (journalDiffers.length > 0) problems.push(`the journal's final state differs from the apiserver's (a harness defect): ${journalDiffers.length} series, e.g. ${journalDiffers.slice(0, 3).join('; ')}`);
    const finalScrapes = await Promise.all(replicas.map((r) => r.scrape(5000)));
    const spansLeft: string[] = [];
    finalScrapes.forEach((s, i) => {
      const m = mismatches(replicas[i]!, s);
      if (m.length > 0) problems.push(`replica ${replicas[i]!.name}: ${m.length} series differ from the journal, e.g. ${m.slice(0, 3).join('; ')}`);
      if (!watchesUp(s)) problems.push(`replica ${replicas[i]!.name}: a watch is not up at the end`);
      const left = s ? [...pick(s, 'crotel_spans_queued'), ...pick(s, 'crotel_spans_held')].reduce((sum, [, v]) => sum + v, 0) : NaN;
      if (left !== 0) problems.push(`replica ${replicas[i]!.name}: span queue not drained at the end (${left} queued or held)`);
      spansLeft.push(`${replicas[i]!.name} ${left}`);
    });
    const uids = new Set(writer.journal.map((e) => String((e.object.metadata as { uid: string }).uid)));
    const attr = (s: OtlpJsonSpan, key: string): string | undefined => s.attributes?.find((a) => a.key === key)?.value.stringValue;
    const ours = found.filter((s) => uids.has(attr(s, 'k8s.object.uid') ?? ''));
    const senderOf = (pid: number | undefined): string => {
      for (const r of replicas) {
        const n = r.incarnations.findIndex((i) => i.pid === pid);
        if (n >= 0) return `${r.name}#${n + 1}`;
      }
      return `pid ${pid ?? '?'}`;
    };
    const byId = new Map<string, number>();
    for (const s of ours) byId.set(`${s.traceId}|${s.spanId}`, (byId.get(`${s.traceId}|${s.spanId}`) ?? 0) + 1);
    const duplicated = [...byId.values()].reduce((sum, n) => sum + n - 1, 0);
    const unique = [...new Map(ours.map((s) => [`${s.traceId}|${s.spanId}`, s])).values()];
    const foundKeys = spanKeys(unique.map((s) => ({ ...s, traceId: s.traceId, name: s.name, startMs: Number(BigInt(s.startTimeUnixNano) / 1_000_000n) })));
    const want = expectedSpans(resource, writer.journal);
    const wantKeys = new Set(want.map((w) => w.key));
    const missing = want.filter((w) => !foundKeys.has(w.key));
    const unexpected = [...foundKeys.keys()].filter((k) => !wantKeys.has(k));
    const explained = new Map<string, number>();
    const unexplained: typeof missing = [];
    // The shipper's queue (full, or cut off at shutdown) and a follower's hold (full while the leader
    // did not report; a loss only if that follower then took the range over).
    const queueDrops = replicas.reduce((sum, r) => sum + r.dropsFor(['queue_full', 'shutdown']), 0);
    const holdDrops = replicas.reduce((sum, r) => sum + r.dropsFor(['handover_full']), 0);
    const drops = queueDrops + holdDrops;
    // Each missing span to a documented loss, as many as the capacities allow together
    // (chaos/explain.ts): every counted drop once, a killed leader's queue up to its sample.
    const blindSpells = replicas.flatMap((r) => r.blind.map((spell) => ({ replica: r, spell })));
    // No replica saw the episode begin (each was down or relisting then): what followed shows a
    // state, not that an episode is open (a spec change of a Failed object without
    // observedGeneration), so that episode's spans have no trace to go in.
    const unseenByAll: Window = { from: 0, to: 0, why: 'began while every replica was blind (down or relisting): the episode could not be known', mode: 'unseen' };
    const blindAt = (r: Replica, t: number): boolean => r.blind.some((spell) => t >= spell.from - 1000 && t <= spell.to);
    // Only the leader saw the episode begin, and it stopped (killed, frozen) before a renewal could
    // carry it in its checkpoint (one retry period, 2 s); every other replica was blind then.
    const lastSeenByLeader: Window = { from: 0, to: 0, why: 'began in the last renewal period of a leader that then stopped, every other replica blind: the episode could not be passed on', mode: 'unseen' };
    const RETRY_PERIOD_MS = 2000;
    const causeWindows: Window[] = [...windows, ...blindSpells.map((b) => b.spell), unseenByAll, lastSeenByLeader];
    const causes: LossCause[] = causeWindows.map((w) => (w.countedDrops ? { pool: 'drops' } : w.budget !== undefined ? { capacity: w.budget } : {}));
    const eligible = missing.map((m) => [
      ...windows.flatMap((x, i) => (m.closedAt >= x.from && m.closedAt <= x.to && (x.owns?.(m.uid) ?? true) ? [i] : [])),
      // a blind spell explains a state that began and ended in it, if that replica led when it closed (the object's own times are to the second)
      ...blindSpells.flatMap((b, i) => (b.replica.owns(m.uid) && b.replica.ledAt(m.closedAt) && m.openedAt >= b.spell.from - 1000 && m.closedAt <= b.spell.to ? [windows.length + i] : [])),
      ...(replicas.filter((r) => r.owns(m.uid)).every((r) => blindAt(r, m.openedAt)) ? [causeWindows.length - 2] : []),
      ...(replicas.some((l) => l.owns(m.uid) && l.led.some((i) => m.openedAt >= i.from && i.to - m.openedAt <= RETRY_PERIOD_MS + 750)
        && replicas.every((r) => r === l || !r.owns(m.uid) || blindAt(r, m.openedAt))) ? [causeWindows.length - 1] : []),
    ]);
    const assignment = explainLosses(eligible, causes, new Map([['drops', drops]]));
    missing.forEach((m, i) => {
      const c = assignment[i];
      if (c === undefined) unexplained.push(m);
      else explained.set(causeWindows[c]!.why, (explained.get(causeWindows[c]!.why) ?? 0) + 1);
    });
    if (duplicated > 0) problems.push(`${duplicated} spans delivered more than once`);
    if (unexplained.length > 0) problems.push(`${unexplained.length} missing spans outside any documented window, e.g. ${unexplained.slice(0, 3).map((m) => `${m.name} (${m.uid}, closed at ${new Date(m.closedAt).toISOString()})`).join('; ')}`);
    if (unexpected.length > 0) problems.push(`${unexpected.length} spans not implied by the journal, e.g. ${unexpected.slice(0, 3).join('; ')}`);
    for (const r of replicas) {
      problems.push(...r.crashes);
      if (r.internalErrors > 0) problems.push(`replica ${r.name}: crotel_internal_errors_total ${r.internalErrors}`);
      if (/unhandled|uncaught/i.test(r.output())) problems.push(`replica ${r.name}: an unhandled error in its log`);
      if (r.peakFds > 500) problems.push(`replica ${r.name}: ${r.peakFds} open file descriptors`);
    }
    const missingFaultKinds = FAULT_KINDS.filter((k) => !faults.some((f) => f.kind === k && !f.detail.startsWith('failed')));
    if (missingFaultKinds.length > 0) problems.push(`fault kinds not injected: ${missingFaultKinds.join(', ')}`);
    if (converged === undefined) problems.push(`not converged within ${settleMs / 1000} s of the end`);
    // The OTLP stream through the Collector: each replica's newest export of the object series
    // equals the journal's state too (its exports run every 5 s; give it a few).
    const sink = metricsSink;
    const otlpDiffers = (): string[] => replicas.flatMap((r) => {
      const got = latestOtlpObjects(sink, `replica-${r.name}`);
      if (!got) return [`replica ${r.name}: no OTLP export of the object series`];
      const m = mismatches(r, got);
      return m.length === 0 ? [] : [`replica ${r.name}: ${m.length} OTLP series differ from the journal, e.g. ${m.slice(0, 3).join('; ')}`];
    });
    await waitFor('OTLP object series equal to the journal', async () => otlpDiffers().length === 0, 30_000, 1000).catch(() => {});
    const otlpProblems = otlpDiffers();
    problems.push(...otlpProblems);

    const figures: Record<string, number | string> = {
      seed: options.seed, variant: options.variant ?? 'ha', 'duration s': options.durationS, objects: options.objects, 'trace store': useJaeger ? 'Jaeger v2' : 'Collector → OTLP sink',
      'faults injected': faults.length, 'fault kinds': new Set(faults.map((f) => f.kind)).size,
      writes: writer.journal.length, 'writes refused': writer.failures,
      'refusals': [...writer.failureReasons].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([k, v]) => `${v}× ${k}`).join(' | ') || '0',
      'series expected': expected.size,
      'journal vs apiserver at the end': journalDiffers.length === 0 ? 'equal' : `${journalDiffers.length} series differ`,
      'series mismatched (/metrics, per replica)': finalScrapes.map((sc, i) => `${replicas[i]!.name} ${mismatches(replicas[i]!, sc).length}`).join(', '),
      'OTLP stream through the Collector': otlpProblems.length === 0 ? 'equal to the journal (both replicas)' : `${otlpProblems.length} replica(s) differ`,
      'spans expected': want.length, 'spans found': unique.length, 'spans duplicated': duplicated,
      'spans missing': missing.length, 'missing, explained': [...explained].map(([k, v]) => `${v} ${k}`).join('; ') || '0',
      'missing, unexplained': unexplained.length, 'spans unexpected': unexpected.length,
      'spans dropped (counted by crotel)': `${drops} (span queue ${queueDrops}, follower's hold ${holdDrops})`,
      'spans queued or held at the end': spansLeft.join(', '),
      // from the last fault, or from the last write when writes went on after it (a long run)
      'convergence after last fault s': converged === undefined ? 'never' : ((converged - Math.max(lastFault, writesEnd)) / 1000).toFixed(1),
      'peak RSS MiB': replicas.map((r) => `${r.name} ${(r.peakRss / 2 ** 20).toFixed(0)}`).join(', '),
      'peak open fds': replicas.map((r) => `${r.name} ${r.peakFds}`).join(', '),
      'RSS MiB / fds, max in the first and last quarter': replicas.map((r) => {
        const [first, last] = quarters(r.samples, writesFrom, writesEnd);
        return `${r.name} ${(first.rss / 2 ** 20).toFixed(0)}/${first.fds} → ${(last.rss / 2 ** 20).toFixed(0)}/${last.fds}`;
      }).join(', '),
    };
    if (options.dumpPath) {
      for (const r of replicas) writeFileSync(`${options.dumpPath}.replica-${r.name}.log`, r.output());
      writeFileSync(options.dumpPath, JSON.stringify({
        started, faults, windows, leaseHistory, blind: Object.fromEntries(replicas.map((r) => [r.name, r.blind])), led: Object.fromEntries(replicas.map((r) => [r.name, r.led])), missing, unexpected, duplicatedIds: [...byId].filter(([, n]) => n > 1).map(([k]) => k),
        // Every copy of a span delivered more than once, with the replica incarnation that sent it.
        duplicates: ours.filter((s) => (byId.get(`${s.traceId}|${s.spanId}`) ?? 0) > 1).map((s) => ({ id: `${s.traceId}|${s.spanId}`, name: s.name, start: s.startTimeUnixNano, end: s.endTimeUnixNano, sender: senderOf(s.pid) })),
        incarnations: Object.fromEntries(replicas.map((r) => [r.name, r.incarnations])),
        journal: writer.journal.map((e) => ({ seq: e.seq, at: e.at, name: e.name, op: e.op, rv: e.resourceVersion, uid: (e.object.metadata as { uid: string }).uid, status: e.object.status, generation: (e.object.metadata as { generation?: number }).generation })),
        found: unique.map((s) => ({ traceId: s.traceId, spanId: s.spanId, name: s.name, start: s.startTimeUnixNano, end: s.endTimeUnixNano, uid: attr(s, 'k8s.object.uid'), outcome: attr(s, 'crotel.episode.outcome'), sender: senderOf(s.pid) })),
      }));
    }
    return { ok: problems.length === 0, figures, problems, faults };
  } finally {
    for (const r of replicas) await r.kill('SIGKILL').catch(() => {});
    for (const p of proxies) await p.close().catch(() => {});
    await collector?.stop(3000);
    for (const m of managed.reverse()) await m.stop(3000);
    await metricsSink?.close();
    await traceSink?.close();
    await cp?.stop();
    removeTempDir(dir);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: String(Date.now() % 100_000) },
      duration: { type: 'string', default: '120' },
      objects: { type: 'string', default: '200' },
      settle: { type: 'string', default: '90' },
      'trace-store': { type: 'string' },
      dump: { type: 'string' },
      variant: { type: 'string', default: 'ha' },
    },
  });
  if (values.variant !== 'ha' && values.variant !== 'sharded') throw new Error(`--variant: ha or sharded, got ${values.variant}`);
  const number = (name: string, text: string | undefined): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: a positive integer, got ${text}`);
    return n;
  };
  const verdict = await runChaos({
    seed: number('seed', values.seed), durationS: number('duration', values.duration),
    objects: number('objects', values.objects), settleS: number('settle', values.settle),
    ...(values.dump ? { dumpPath: values.dump } : {}),
    variant: values.variant,
    ...(values['trace-store'] === 'jaeger' || values['trace-store'] === 'sink' ? { traceStore: values['trace-store'] } : {}),
  });
  console.log('\nverdict');
  for (const [k, v] of Object.entries(verdict.figures)) console.log(`  ${k.padEnd(36)} ${v}`);
  for (const p of verdict.problems) console.log(`  PROBLEM: ${p}`);
  console.log(verdict.ok ? '\nchaos: PASS' : '\nchaos: FAIL');
  process.exitCode = verdict.ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
