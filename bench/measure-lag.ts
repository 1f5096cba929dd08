// Step 6: end-to-end lag at a fixed write rate. Method:
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
import { writeFileSync } from 'node:fs';
import type { ApiClient } from './api.ts';
import { instancePath, instanceRef } from './load.ts';
import { openLoop, track, writeStats, type WriteStats } from './open-loop.ts';
import { labelOf, scrape, valueOf } from './scrape.ts';
import { max, median, now, percentile, sleep } from './stats.ts';

/** 2030-01-01T00:00:00Z: above every lastBackupTime the load step writes. */
export const LAG_BASE_SECONDS = Date.UTC(2030, 0, 1) / 1000;
const LAST_BACKUP_PREFIX = 'database_instance_last_backup_time_seconds{';

export interface LagOptions {
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

export interface LagBand {
  readonly writes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface LagResult extends WriteStats {
  readonly visible: number;
  readonly neverVisible: number;
  /** Upper-bound lag over all visible writes, and per third of the run (by send time). */
  readonly all: LagBand;
  readonly firstThird: LagBand;
  readonly lastThird: LagBand;
  readonly lowerP50Ms: number;
  readonly lowerP99Ms: number;
  /** Write sent → the event arrived on the bench's own watch (ms-precise; the apiserver's share). */
  readonly watchDelivery?: LagBand;
  readonly scrapes: number;
  /** Median time from one scrape's start to the next one's end: the resolution of the lag. */
  readonly resolutionMs: number;
  readonly scrapeMedianMs: number;
  readonly growing: boolean;
}

interface Write {
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

function band(values: readonly number[]): LagBand {
  return { writes: values.length, p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), maxMs: percentile(values, 100) };
}

export async function measureLag(api: ApiClient, options: LagOptions): Promise<LagResult> {
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const order = permutation(options.objects);
  const writes: Write[] = [];
  const seen = new Float64Array(options.objects);
  let writerDone = false;

  const writer = async (): Promise<void> => {
    await openLoop(options.rate, total, options.maxInFlight, (j, slot) => {
      const write: Write = { object: order[j % options.objects]!, value: LAG_BASE_SECONDS + j, slot, sentAt: now() };
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
    let pending: Write[] = [];
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
  const indexOf = (w: Write): number => w.value - LAG_BASE_SECONDS;
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
