// Traces lag: apiserver write → root span at a receiver, at a fixed write rate, through the real
// crotel CLI. Method:
//  - Writer: open loop at R writes/s for D s over M fresh objects (slot j → object j mod M, step
//    floor(j / M) of its life, traces-lifecycle.ts): step 0 creates it, later steps PATCH
//    status through Pending → Provisioning → Running → Failed → Running … Every status write
//    carries a unique lastBackupTime, so the bench's own watch (record-watch.ts) can time its
//    delivery. The writes at Running-after-Provisioning and at Failed end an episode: a root
//    span `reconcile DatabaseInstance` is due for each.
//  - Receiver: traces-sink.ts timestamps each span when its request body is complete.
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
import { DB_GROUP_VERSION, type ApiClient } from './api.ts';
import { instancePath, namespaceName } from './load.ts';
import { LAG_BASE_SECONDS } from './measure-lag.ts';
import { openLoop, track, writeStats, type WriteStats } from './open-loop.ts';
import { cpuSecondsOf } from './proc.ts';
import { now, percentile, sleep } from './stats.ts';
import { endsEpisode, stateAt, statusOf } from './traces-lifecycle.ts';
import type { ArrivedSpan, TraceSink } from './traces-sink.ts';

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

export interface Band {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
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

interface Write {
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

export function band(values: readonly number[]): Band {
  return { count: values.length, p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), maxMs: percentile(values, 100) };
}


function nameOf(prefix: string, object: number): string {
  return `${prefix}${String(object).padStart(5, '0')}`;
}

export async function measureTracesLag(options: TracesLagOptions): Promise<TracesLagResult> {
  const { api, sink, prefix, objects } = options;
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const writes: Write[] = [];
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
    const write: Write = { object, step, value, slot, sentAt: 0, sentWall: 0, ...(ends ? { ends } : {}) };
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
  const byObject = new Map<string, Write[]>();
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
    let match: Write | undefined;
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
  const lag = (w: Write): number => w.root!.arrivedAt - w.sentAt;
  const third = total / 3;
  const stepOf = (w: Write): number => w.value - LAG_BASE_SECONDS - options.valueOffset;
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
