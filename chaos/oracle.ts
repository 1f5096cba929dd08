// What crotel should show after a run, computed from the journal alone: the object series of
// the final state, and the spans of every transition written. The pure stages (extraction, the
// episode tracker) are the model — they have their own unit tests; what a run checks is that
// the distributed machinery around them (watches, relists, restarts, leader changes, the span
// queue and the Collector) delivers exactly what they make of the ground truth.
import type { CompiledResource } from '../src/model.ts';
import { renderExposition } from '../src/metrics/exposition.ts';
import { SeriesBudget } from '../src/state/budget.ts';
import { ResourceStore } from '../src/state/store.ts';
import { EpisodeTracker, type LifecycleSink, type SpanRecord } from '../src/traces/episodes.ts';
import { parseExposition, pick, type SeriesMap } from '../harness/prom-text.ts';
import type { JournalEntry } from './writer.ts';

export const OBJECT_SERIES = 'database_instance_';

/** The final state's object series; `owns` (a shard's uids) keeps one shard's objects. */
export async function expectedSeries(resource: CompiledResource, journal: readonly JournalEntry[], owns: (uid: string) => boolean = () => true): Promise<SeriesMap> {
  const last = new Map<string, JournalEntry>();
  for (const entry of journal) last.set(entry.name, entry);
  const objects = [...last.values()].filter((e) => e.op !== 'delete').map((e) => e.object);
  return seriesOf(resource, objects.filter((o) => owns(String((o.metadata as { uid?: string } | undefined)?.uid ?? ''))));
}

/** The object series of these objects (e.g. the apiserver's list at the end, to check the journal itself). */
export async function seriesOf(resource: CompiledResource, objects: readonly unknown[]): Promise<SeriesMap> {
  const store = new ResourceStore(resource, new SeriesBudget(() => {}), {});
  for (const object of objects) store.upsert(object);
  return pick(parseExposition(await renderExposition([store])), OBJECT_SERIES);
}

export interface ExpectedSpan {
  readonly key: string;
  readonly traceId: string;
  readonly name: string;
  readonly uid: string;
  /** When the state (or episode) it covers began: the journal time of its write, or the object's own (second-precision) time. */
  readonly openedAt: number;
  /** When the write that closed it was answered (wall ms). */
  readonly closedAt: number;
  /** The resourceVersion of that write (which leader's term it fell in, through the Lease). */
  readonly closedRv: string;
  readonly root: boolean;
}

/** A span's identity that does not depend on when a process observed it: trace, name, and its place among same-named spans of the trace. */
export function spanKeys<T extends { traceId: string; name: string; startMs: number }>(spans: readonly T[]): Map<string, T> {
  const byName = new Map<string, T[]>();
  for (const s of spans) {
    const k = `${s.traceId}|${s.name}`;
    byName.set(k, [...(byName.get(k) ?? []), s]);
  }
  const keyed = new Map<string, T>();
  for (const [k, list] of byName) {
    list.sort((a, b) => a.startMs - b.startMs);
    list.forEach((s, i) => keyed.set(`${k}|${i}`, s));
  }
  return keyed;
}

export function expectedSpans(resource: CompiledResource, journal: readonly JournalEntry[]): ExpectedSpan[] {
  let now = 0;
  let rv = '';
  const records: { record: SpanRecord; closedAt: number; closedRv: string }[] = [];
  const sink: LifecycleSink = {
    wantsSpans: () => true,
    span: (record) => records.push({ record, closedAt: now, closedRv: rv }),
    transition() {},
    stateEnded() {},
    episodeEnded() {},
  };
  const tracker = new EpisodeTracker(sink, { episodeTimeoutMs: 3_600_000, clock: () => now });
  const store = new ResourceStore(resource, new SeriesBudget(() => {}), {
    clock: () => now,
    changed: (r, previous, next) => tracker.observe(r.ref, previous, next),
  });
  for (const entry of journal) {
    now = entry.at;
    rv = entry.resourceVersion;
    if (entry.op === 'delete') store.remove(entry.object);
    else store.upsert(entry.object);
  }
  const keyed = spanKeys(records.map((r) => ({ ...r, traceId: r.record.traceId, name: r.record.name, startMs: r.record.startMs })));
  return [...keyed].map(([key, r]) => ({
    key, traceId: r.traceId, name: r.name, closedAt: r.closedAt, closedRv: r.closedRv, openedAt: r.record.startMs, root: r.record.parentSpanId === undefined,
    uid: String(r.record.attributes['k8s.object.uid']),
  }));
}
