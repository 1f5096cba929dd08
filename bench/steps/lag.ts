// Lag from an apiserver write to its effect leaving crotel, at a fixed write rate through the real
// CLI: on /metrics (measureMetricsLag, the metrics scenario's step 6) and as a root span at an
// OTLP receiver (measureTracesLag, the traces scenario's step 2). Both drive an open-loop writer
// (lib/open-loop.ts) whose every status write carries a unique lastBackupTime past
// LAG_BASE_SECONDS, so the bench's own watch (steps/record-watch.ts) times the apiserver's share.
//
// Metrics:
//  - Writer: open loop at R/s for D s; write j merge-patches one object's status with
//    phase Running/Failed (alternating) and lastBackupTime = BASE + j seconds — a value unique
//    to the write and increasing per object, so "the object's series shows ≥ BASE + j" means
//    write j (or a later one to the same object, which the watch delivers after it) is applied.
//  - Sampler: scrapes /metrics continuously (never more than a 50% duty cycle on crotel),
//    reading only database_instance_last_backup_time_seconds lines. Write j becomes visible
//    in the first scrape k that shows it: its visibility lies in (start of scrape k-1, end of
//    scrape k]. Lag = end of scrape k − send time of write j (an upper bound), with the lower
//    bound and the scrape period (the resolution) reported alongside.
//  - The bench's own watch (opened for step 7) timestamps each event's arrival, which gives the
//    apiserver's share (write → watch event) at millisecond precision; crotel's share per event
//    is what step 7 measures (tens of µs), so the scrape period dominates the upper bound.
//
// Traces:
//  - Writer: open loop at R writes/s for D s over M fresh objects (slot j → object j mod M, step
//    floor(j / M) of its life, workloads/lifecycle.ts): step 0 creates it, later steps PATCH
//    status through Pending → Provisioning → Running → Failed → Running … Every status write
//    carries a unique lastBackupTime, so the bench's own watch can time its
//    delivery. The writes at Running-after-Provisioning and at Failed end an episode: a root
//    span `reconcile DatabaseInstance` is due for each.
//  - Receiver: lib/trace-sink.ts timestamps each span when its request body is complete.
//  - Matching: a root span names its object and carries its end time, which for these writes is
//    crotel's wall clock when it processed the write (a phase moved: crotel stamps `now`). It is
//    matched to the latest episode-ending write of that object sent before that time; the
//    outcome (succeeded / failed) must agree. Writes to one object are M/R s apart, so this is
//    unambiguous.
//  - Figures per matched write (all on this machine's clocks): write sent → root at the sink
//    (the lag), split into write sent → crotel processed it (root end time: the apiserver's
//    watch delivery plus crotel's decode and tracker) and crotel processed it → at the sink
//    (SpanShipper's flush tick, the OTLP export, and the Collector's batching when there is one).
//    Write sent → the event on the bench's own watch is the apiserver's share alone.
import { writeFileSync } from 'node:fs';
import { DB_GROUP_VERSION, type ApiClient } from '../lib/api.ts';
import { openLoop, track, writeStats, type WriteStats } from '../lib/open-loop.ts';
import { cpuSecondsOf } from '../lib/proc.ts';
import { labelOf, scrape, valueOf } from '../lib/scrape-client.ts';
import { max, median, now, percentile, sleep } from '../lib/stats.ts';
import type { ArrivedSpan, TraceSink } from '../lib/trace-sink.ts';
import { instancePath, instanceRef, namespaceName } from '../workloads/databaseinstances.ts';
import { endsEpisode, stateAt, statusOf } from '../workloads/lifecycle.ts';

/** 2030-01-01T00:00:00Z: above every lastBackupTime the load step writes. */
export const LAG_BASE_SECONDS = Date.UTC(2030, 0, 1) / 1000;

/** Lag over a set of writes, ms. */
export interface Band {
  readonly writes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function band(values: readonly number[]): Band {
  return { writes: values.length, p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), maxMs: percentile(values, 100) };
}

// ---- write → /metrics

const LAST_BACKUP_PREFIX = 'database_instance_last_backup_time_seconds{';

export interface MetricsLagOptions {
  readonly url: string;
  readonly objects: number;
  readonly namespaces: number;
  readonly rate: number;
  readonly seconds: number;
  /** Writes in flight at most; beyond it the writer falls behind schedule (reported). */
  readonly maxInFlight: number;
  /** Minimum time between scrape starts. */
  readonly scrapeIntervalMs: number;
  /** How long after the last write unresolved writes are still waited for. */
  readonly drainMs: number;
  /** When another watcher (the bench's recording) saw the event carrying this lastBackupTime. */
  readonly deliveredAt?: (lastBackupSeconds: number) => number | undefined;
  /** Writes one CSV row per write (times in ms on the bench clock) to this file. */
  readonly dumpFile?: string;
}

export interface MetricsLagResult extends WriteStats {
  readonly visible: number;
  readonly neverVisible: number;
  /** Upper-bound lag over all visible writes, and per third of the run (by send time). */
  readonly all: Band;
  readonly firstThird: Band;
  readonly lastThird: Band;
  readonly lowerP50Ms: number;
  readonly lowerP99Ms: number;
  /** Write sent → the event arrived on the bench's own watch (ms-precise; the apiserver's share). */
  readonly watchDelivery?: Band;
  readonly scrapes: number;
  /** Median time from one scrape's start to the next one's end: the resolution of the lag. */
  readonly resolutionMs: number;
  readonly scrapeMedianMs: number;
  readonly growing: boolean;
}

interface MetricsWrite {
  readonly object: number;
  readonly value: number;
  readonly slot: number;
  sentAt: number;
  ackAt?: number;
  ok?: boolean;
  upper?: number;
  lower?: number;
}

/** A fixed pseudo-random permutation of 0..n-1, so consecutive writes hit scattered objects. */
function permutation(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let seed = 0x2545f491;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export async function measureMetricsLag(api: ApiClient, options: MetricsLagOptions): Promise<MetricsLagResult> {
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const order = permutation(options.objects);
  const writes: MetricsWrite[] = [];
  const seen = new Float64Array(options.objects);
  let writerDone = false;

  const writer = async (): Promise<void> => {
    await openLoop(options.rate, total, options.maxInFlight, (j, slot) => {
      const write: MetricsWrite = { object: order[j % options.objects]!, value: LAG_BASE_SECONDS + j, slot, sentAt: now() };
      writes.push(write);
      const ref = instanceRef(write.object, options.namespaces);
      const body = { status: { phase: j % 2 === 0 ? 'Failed' : 'Running', lastBackupTime: new Date(write.value * 1000).toISOString().replace('.000Z', 'Z') } };
      return track(write, api.send('PATCH', `${instancePath(ref)}/status`, body), 200);
    });
    writerDone = true;
  };

  const scrapeStarts: number[] = [];
  const scrapeTimes: number[] = [];
  const periods: number[] = [];
  const sampler = async (): Promise<void> => {
    let pending: MetricsWrite[] = [];
    let resolvedUpTo = 0; // writes[0..resolvedUpTo) already moved into `pending`
    let previousStart: number | undefined;
    let drainDeadline = Number.POSITIVE_INFINITY;
    for (;;) {
      const result = await scrape(options.url, {
        prefix: LAST_BACKUP_PREFIX,
        line: (line) => {
          const name = labelOf(line, 'name');
          if (!name?.startsWith('db-')) return;
          const index = Number(name.slice(3));
          const value = valueOf(line);
          if (index < seen.length && value > seen[index]!) seen[index] = value;
        },
      });
      scrapeStarts.push(result.startedAt);
      scrapeTimes.push(result.ms);
      if (previousStart !== undefined) periods.push(result.endedAt - previousStart);
      // Writes sent before this scrape ended are candidates (one sent mid-scrape may already show).
      while (resolvedUpTo < writes.length && writes[resolvedUpTo]!.sentAt < result.endedAt) pending.push(writes[resolvedUpTo++]!);
      pending = pending.filter((w) => {
        if (seen[w.object]! < w.value) return true;
        w.upper = result.endedAt - w.sentAt;
        w.lower = Math.max(0, (previousStart ?? w.sentAt) - w.sentAt);
        return false;
      });
      previousStart = result.startedAt;
      if (writerDone) {
        if (drainDeadline === Number.POSITIVE_INFINITY) drainDeadline = now() + options.drainMs;
        const outstanding = pending.filter((w) => w.ok !== false).length + (writes.length - resolvedUpTo);
        if (outstanding === 0 || now() > drainDeadline) return;
      }
      // Duty cycle ≤ 50% on the typical scrape time: one slow scrape (a GC pause) must not
      // open a wide gap in the sampling, which would show up as a false tail of lag.
      const typical = median(scrapeTimes.slice(-10));
      const nextStart = Math.max(result.startedAt + options.scrapeIntervalMs, result.endedAt + typical);
      const wait = nextStart - now();
      if (wait > 0) await sleep(wait);
    }
  };

  await Promise.all([writer(), sampler()]);

  const acked = writes.filter((w) => w.ok === true);
  const visible = acked.filter((w) => w.upper !== undefined);
  const third = total / 3;
  const indexOf = (w: MetricsWrite): number => w.value - LAG_BASE_SECONDS;
  const first = visible.filter((w) => indexOf(w) < third).map((w) => w.upper!);
  const last = visible.filter((w) => indexOf(w) >= 2 * third).map((w) => w.upper!);
  const sentTimes = writes.map((w) => w.sentAt);
  const ackTimes = acked.map((w) => w.ackAt!);
  const span = ackTimes.length > 0 ? (max(ackTimes) - sentTimes[0]!) / 1000 : Number.NaN;
  const resolutionMs = median(periods);
  const firstThird = band(first);
  const lastThird = band(last);
  const deliveredAt = options.deliveredAt;
  const delivery = deliveredAt
    ? acked.map((w) => (deliveredAt(w.value) ?? Number.NaN) - w.sentAt).filter((d) => Number.isFinite(d))
    : [];
  if (options.dumpFile) {
    const rows = writes.map((w) => [w.value - LAG_BASE_SECONDS, w.object, w.slot, w.sentAt, w.ackAt, w.ok, deliveredAt?.(w.value), w.lower, w.upper]
      .map((v) => (typeof v === 'number' ? v.toFixed(3) : v === undefined ? '' : String(v))).join(','));
    const scrapeRows = scrapeStarts.map((start, i) => `scrape,${start.toFixed(3)},${scrapeTimes[i]!.toFixed(3)}`);
    writeFileSync(options.dumpFile, ['write,object,slot,sent,ack,ok,delivered,lower_ms,upper_ms', ...rows, ...scrapeRows].join('\n') + '\n');
  }
  return {
    ...writeStats(writes, total, span),
    visible: visible.length,
    neverVisible: acked.length - visible.length,
    all: band(visible.map((w) => w.upper!)),
    firstThird,
    lastThird,
    lowerP50Ms: percentile(visible.map((w) => w.lower!), 50),
    lowerP99Ms: percentile(visible.map((w) => w.lower!), 99),
    ...(deliveredAt ? { watchDelivery: band(delivery) } : {}),
    scrapes: scrapeStarts.length,
    resolutionMs,
    scrapeMedianMs: median(scrapeTimes),
    growing: lastThird.p50Ms - firstThird.p50Ms > Math.max(resolutionMs, 0.25 * firstThird.p50Ms),
  };
}

// ---- write → root span at a receiver

export const ROOT_SPAN = 'reconcile DatabaseInstance';

export interface TracesLagOptions {
  readonly api: ApiClient;
  readonly sink: TraceSink;
  /** crotel's pid, for its CPU time while the writer runs. */
  readonly crotelPid?: number;
  readonly namespaces: number;
  /** Object names are `${prefix}NNNNN`, fresh for this run. */
  readonly prefix: string;
  readonly objects: number;
  readonly rate: number;
  readonly seconds: number;
  readonly maxInFlight: number;
  readonly drainMs: number;
  /** Offset of this run's lastBackupTime values past LAG_BASE_SECONDS (unique across runs). */
  readonly valueOffset: number;
  /** When the bench's own watch saw the event carrying this lastBackupTime (Unix seconds). */
  readonly deliveredAt?: (lastBackupSeconds: number) => number | undefined;
}

export interface TracesLagResult extends WriteStats {
  readonly lifecycleObjects: number;
  /** Acked writes that end an episode, and how many of them a root span was matched to. */
  readonly endingWrites: number;
  readonly matched: number;
  readonly missing: number;
  /** Roots of this run's objects that matched no ending write, or one already matched. */
  readonly unmatchedRoots: number;
  readonly outcomeMismatches: number;
  /** Spans (trace id + span id) that arrived more than once in this run. */
  readonly duplicateSpans: number;
  readonly spansArrived: number;
  readonly total: Band;
  readonly firstThird: Band;
  readonly lastThird: Band;
  /** Least-squares fit of lag against send time: its rise from the first to the last write, in ms. */
  readonly trendMs: number;
  /** trendMs above max(200 ms, 25% of the p50). The flush tick spreads lags uniformly over its 200 ms period, so thirds alone are noisy. */
  readonly growing: boolean;
  readonly observed: Band;
  readonly shipping: Band;
  readonly watchDelivery?: Band;
  /** crotel's CPU (user + system) while the writer ran, in cores. */
  readonly crotelCores?: number;
}

interface TracesWrite {
  readonly object: number;
  readonly step: number;
  readonly value: number;
  readonly slot: number;
  readonly ends?: 'succeeded' | 'failed';
  sentAt: number;
  sentWall: number;
  ackAt?: number;
  ok?: boolean;
  root?: ArrivedSpan;
}

/** Rise of the least-squares line through (x, y) from min(x) to max(x). */
function trend(points: readonly (readonly [number, number])[]): number {
  if (points.length < 3) return Number.NaN;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  const xs = points.map(([x]) => x);
  return sxx === 0 ? 0 : (sxy / sxx) * (Math.max(...xs) - Math.min(...xs));
}

function nameOf(prefix: string, object: number): string {
  return `${prefix}${String(object).padStart(5, '0')}`;
}

export async function measureTracesLag(options: TracesLagOptions): Promise<TracesLagResult> {
  const { api, sink, prefix, objects } = options;
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const writes: TracesWrite[] = [];
  const readyStatus = new Array<string | undefined>(objects);
  const readySince = new Array<number>(objects).fill(0);
  const firstSpan = sink.spans.length;

  const cpuBefore = cpuSecondsOf(options.crotelPid);
  const wallBefore = now();
  await openLoop(options.rate, total, options.maxInFlight, (j, slot) => {
    const object = j % objects;
    const step = Math.floor(j / objects);
    const value = LAG_BASE_SECONDS + options.valueOffset + j;
    const ends = endsEpisode(step);
    const write: TracesWrite = { object, step, value, slot, sentAt: 0, sentWall: 0, ...(ends ? { ends } : {}) };
    const ref = { namespace: namespaceName(object % options.namespaces), name: nameOf(prefix, object) };
    let request: Promise<{ status: number }>;
    if (step === 0) {
      write.sentWall = Date.now();
      write.sentAt = now();
      request = api.send('POST', `${DB_GROUP_VERSION}/namespaces/${ref.namespace}/databaseinstances`, {
        apiVersion: 'stable.example.com/v1', kind: 'DatabaseInstance', metadata: ref, spec: { engine: 'postgres', version: '16', storageGB: 10 },
      });
    } else {
      const state = stateAt(step);
      write.sentWall = Date.now();
      if (readyStatus[object] !== state.ready) {
        readyStatus[object] = state.ready;
        readySince[object] = write.sentWall;
      }
      write.sentAt = now();
      request = api.send('PATCH', `${instancePath(ref)}/status`, { status: statusOf(state, readySince[object]!, value) });
    }
    writes.push(write);
    return track(write, request, step === 0 ? 201 : 200);
  });
  const cpuAfter = cpuSecondsOf(options.crotelPid);
  const wallAfter = now();

  // Drain: wait for the root of every acked episode-ending write (or the deadline).
  const ending = writes.filter((w) => w.ok === true && w.ends !== undefined);
  const ours = (s: ArrivedSpan): boolean => s.root && s.name === ROOT_SPAN && (s.attributes?.['k8s.object.name'] ?? '').startsWith(prefix);
  const deadline = now() + options.drainMs;
  for (;;) {
    let roots = 0;
    for (let i = firstSpan; i < sink.spans.length; i++) if (ours(sink.spans[i]!)) roots++;
    if (roots >= ending.length || now() > deadline) break;
    await sleep(100);
  }

  // Match roots to writes.
  const byObject = new Map<string, TracesWrite[]>();
  for (const w of ending) {
    const key = nameOf(prefix, w.object);
    let list = byObject.get(key);
    if (!list) byObject.set(key, (list = []));
    list.push(w); // in send order
  }
  const arrived = sink.spans.slice(firstSpan);
  let unmatchedRoots = 0;
  let outcomeMismatches = 0;
  for (const span of arrived) {
    if (!ours(span)) continue;
    const candidates = byObject.get(span.attributes!['k8s.object.name']!) ?? [];
    let match: TracesWrite | undefined;
    for (const w of candidates) if (w.sentWall <= span.endMs + 1) match = w;
    if (!match || match.root) {
      unmatchedRoots++;
      continue;
    }
    match.root = span;
    if (span.attributes?.['crotel.episode.outcome'] !== match.ends) outcomeMismatches++;
  }
  const seen = new Set<string>();
  let duplicateSpans = 0;
  for (const span of arrived) {
    const key = `${span.traceId}/${span.spanId}`;
    if (seen.has(key)) duplicateSpans++;
    else seen.add(key);
  }

  const matched = ending.filter((w) => w.root !== undefined);
  const lag = (w: TracesWrite): number => w.root!.arrivedAt - w.sentAt;
  const third = total / 3;
  const stepOf = (w: TracesWrite): number => w.value - LAG_BASE_SECONDS - options.valueOffset;
  const firstThird = band(matched.filter((w) => stepOf(w) < third).map(lag));
  const lastThird = band(matched.filter((w) => stepOf(w) >= 2 * third).map(lag));
  const all = band(matched.map(lag));
  const trendMs = trend(matched.map((w) => [w.sentAt, lag(w)] as const));
  const acked = writes.filter((w) => w.ok === true);
  const lastAck = Math.max(...acked.map((w) => w.ackAt ?? 0));
  const deliveredAt = options.deliveredAt;
  const watch = deliveredAt
    ? acked.filter((w) => w.step > 0).map((w) => (deliveredAt(w.value) ?? Number.NaN) - w.sentAt).filter((d) => Number.isFinite(d))
    : [];
  return {
    ...writeStats(writes, total, (lastAck - writes[0]!.sentAt) / 1000),
    lifecycleObjects: Math.min(objects, total),
    endingWrites: ending.length,
    matched: matched.length,
    missing: ending.length - matched.length,
    unmatchedRoots,
    outcomeMismatches,
    duplicateSpans,
    spansArrived: arrived.length,
    total: all,
    firstThird,
    lastThird,
    trendMs,
    growing: trendMs > Math.max(200, 0.25 * all.p50Ms),
    observed: band(matched.map((w) => w.root!.endMs - w.sentWall)),
    shipping: band(matched.map((w) => w.root!.arrivedWall - w.root!.endMs)),
    ...(deliveredAt ? { watchDelivery: band(watch) } : {}),
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { crotelCores: (cpuAfter - cpuBefore) / ((wallAfter - wallBefore) / 1000) } : {}),
  };
}
