// Step 8: the final summary, one markdown table with every figure and how to reproduce it.
import type { ChildMemory } from './crotel-child.ts';
import type { ProcMemory } from './proc.ts';
import type { LagResult } from './measure-lag.ts';
import type { ListResult } from './measure-list.ts';
import type { InProcessResult } from './measure-memory.ts';
import type { ReplayRun } from './measure-replay.ts';
import type { RoundResult } from './measure-rounds.ts';
import type { ScrapeStats } from './measure-scrape.ts';
import type { StartResult } from './measure-start.ts';
import type { LoadResult } from './load.ts';
import { count, mib, ms, rate, secs, size } from './stats.ts';

export interface BenchResults {
  command: string;
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
  lag?: LagResult & { rate: number; seconds: number; recorded: number };
  inProcess?: InProcessResult;
  replay?: ReplayRun;
  /** The same replay judged by a catalog kind's CEL rules (--replay-catalog). */
  replayCatalog?: ReplayRun;
  /** Start and heap again in rounds, this checkout against --compare-bin. */
  rounds?: { empty: Record<string, { heap: { heapUsed: number } }>; rounds: RoundResult[] };
  errors: string[];
}

type Row = [string, string, string];

function fastestList(lists: readonly ListResult[] | undefined): ListResult | undefined {
  return lists?.reduce<ListResult | undefined>((best, l) => (!best || l.seconds < best.seconds ? l : best), undefined);
}

export function summaryRows(r: BenchResults): Row[] {
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
      const hooks = v.variant === 'store' ? 'extract + budget + render' : 'extract + budget + render + lifecycle tracker (as src/runtime.ts wires the store)';
      rows.push([`7 capacity, ${what}${label}`, `${rate(v.updatesPerSecond)} updates (${((v.seconds * 1e6) / p.events).toFixed(1)} µs each); target ≥ 5,000/s ${v.updatesPerSecond >= 5000 ? 'met' : 'MISSED'}`,
        `${hooks}; health: ${p.health} (${p.resource}); ${count(p.events)} ${p.source} events (${count(p.uniqueEvents)} distinct, ${mib(p.bytes)}) over ${count(p.objects)} objects, ${pin}; CPU ${secs(v.cpuSeconds)} for ${secs(v.seconds)} wall, GC ${ms(v.gcMs)} (${((v.gcMs / 1000 / v.seconds) * 100).toFixed(0)}%); errors: invalid ${v.invalid}, extraction ${v.extractionErrors}, dropped ${v.dropped}, decode ${v.decodeErrors}`]);
      rows.push([`7 heap/object, ${what}${label}`, `${count(Math.round(v.bytesPerObject))} B`, `after seeding by a list ingest of ${rate(v.listIngestPerSecond)} objects (JSON.parse + listPage)`]);
    }
    rows.push([`7 per-event stages${label}`, `JSON.parse ${p.parseUs.toFixed(1)} µs, extract ${p.extractUs.toFixed(1)} µs, render ${p.renderUs.toFixed(1)} µs`,
      'each stage alone on prepared inputs, best of 3; the rest of a full update is line splitting, budget, store, tracker and GC']);
  }
  return rows;
}

export function summaryMarkdown(r: BenchResults): string {
  const lines = [
    `## crotel metrics benchmark — ${count(r.objects)} DatabaseInstances in ${r.namespaces} namespaces`,
    '',
    `Command: \`${r.command}\``,
    '',
    `Environment: ${r.environment}`,
    '',
    '| step | figure | detail |',
    '|---|---|---|',
    ...summaryRows(r).map(([a, b, c]) => `| ${a} | ${b} | ${c.replace(/\|/g, '\\|')} |`),
  ];
  if (r.errors.length > 0) lines.push('', '**Errors:**', ...r.errors.map((e) => `- ${e}`));
  return `${lines.join('\n')}\n`;
}
