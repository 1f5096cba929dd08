// The traces benchmark's summary: one markdown table with every figure, and the command.
import type { LoadResult } from './load.ts';
import { count, mib, ms, rate, secs } from './stats.ts';
import type { CapacityRun } from './traces-capacity.ts';
import type { Band, TracesLagResult } from './traces-lag.ts';

export type LagVariant = 'collector' | 'direct';

export interface LagRun {
  readonly variant: LagVariant;
  readonly via: string;
  readonly lag: TracesLagResult;
  /** crotel's own counters (its /metrics) and memory at the end of the run. */
  readonly crotel: { exported: number; dropped: number; exportFailures: number; transitions: number; rss: number; peakRss: number };
}

export interface TracesBenchResults {
  command: string;
  objects: number;
  namespaces: number;
  environment: string;
  load?: LoadResult;
  lag: LagRun[];
  recordedEvents?: number;
  capacity: CapacityRun[];
  errors: string[];
}

/** The issue's targets. */
export const LAG_P99_TARGET_MS = 1000;
export const CAPACITY_TARGET_TRANSITIONS = 10_000;

type Row = [string, string, string];

function b(band: Band | undefined): string {
  return band && band.count > 0 ? `p50 ${ms(band.p50Ms)}, p99 ${ms(band.p99Ms)}, max ${ms(band.maxMs)}` : 'n/a';
}

function lagRows(run: LagRun): Row[] {
  const { lag: l, variant } = run;
  const name = `2 lag, ${variant}`;
  const rows: Row[] = [
    [`${name}: writes`, `${count(l.acked)}/${count(l.planned)} acked at ${rate(l.achievedRate)}`,
      `${count(l.lifecycleObjects)} fresh objects, each written every ${(l.lifecycleObjects / Math.max(1, l.achievedRate)).toFixed(1)} s (create, then Pending → Provisioning → Running → Failed → Running …); failed ${l.failed}, late ${l.late}; write latency p50 ${ms(l.patchP50Ms)}, p99 ${ms(l.patchP99Ms)}`],
    [`${name}: write → root span at the receiver`, `${b(l.total)}; p99 ≤ 1 s ${l.total.p99Ms <= LAG_P99_TARGET_MS ? 'met' : 'MISSED'}`,
      `${run.via}. ${count(l.matched)} of ${count(l.endingWrites)} episode-ending writes got their root (missing ${l.missing}; unmatched roots ${l.unmatchedRoots}; outcome mismatches ${l.outcomeMismatches}; spans arrived twice ${l.duplicateSpans}; ${count(l.spansArrived)} spans arrived in all)`],
    [`${name}: write → crotel processed it`, b(l.observed), "the root's end time is crotel's clock when it handled the write: the apiserver's watch delivery plus crotel's decode, store and tracker"],
    [`${name}: crotel processed → at the receiver`, b(l.shipping),
      `SpanShipper: queued until its flush tick (OTEL_BSP_SCHEDULE_DELAY, crotel default 200 ms, or at 512 spans), then one OTLP export${variant === 'collector' ? '; plus the Collector\'s batch processor (timeout 200 ms) and its export' : ' (arrival here = the span leaving crotel)'}`],
  ];
  if (l.watchDelivery) rows.push([`${name}: write → event on the bench's watch`, b(l.watchDelivery), `the apiserver's share alone (${count(l.watchDelivery.count)} status writes matched on the bench's own watch)`]);
  rows.push([`${name}: does lag grow?`, `${l.growing ? 'GROWING' : 'no'}: fitted lag ${l.trendMs >= 0 ? '+' : '−'}${ms(Math.abs(l.trendMs))} from first to last write`,
    `least-squares line through every matched write (growing = a rise above max(200 ms, 25% of p50)); by thirds of the run: p50 ${ms(l.firstThird.p50Ms)} → ${ms(l.lastThird.p50Ms)}, p99 ${ms(l.firstThird.p99Ms)} → ${ms(l.lastThird.p99Ms)} (${l.firstThird.count} and ${l.lastThird.count} writes)`]);
  rows.push([`${name}: crotel`, `${l.crotelCores !== undefined ? `${(l.crotelCores * 100).toFixed(1)}% of a core while writing` : 'CPU n/a'}, RSS ${mib(run.crotel.rss)}`,
    `its own counters for the whole process: spans exported ${count(run.crotel.exported)}, dropped ${count(run.crotel.dropped)}, trace export failures ${count(run.crotel.exportFailures)}, transitions ${count(run.crotel.transitions)}; peak RSS ${mib(run.crotel.peakRss)}`]);
  return rows;
}

function timeline(run: CapacityRun, points = 12): string {
  const q = run.queue;
  if (q.length === 0) return 'n/a';
  const stride = Math.max(1, Math.ceil(q.length / points));
  const picked = q.filter((_s, i) => i % stride === 0 || i === q.length - 1);
  return picked.map((s) => `${(s.t / 1000).toFixed(1)} s: ${count(s.queued)}`).join(', ');
}

function delivered(run: CapacityRun): string {
  const store = run.receivers.at(-1);
  return `${count(store?.sent ?? 0)} of ${count(run.spans)} spans stored by Jaeger`;
}

function deliveredDetail(run: CapacityRun): string {
  return `counted by the receivers' own telemetry over the timed run: ${run.receivers.map((r) => `${r.name} accepted ${count(r.accepted)}, passed on ${count(r.sent)} (refused ${r.refused}, failed ${r.sendFailed})`).join('; ')}${run.receiversSettled ? '' : ' — NOT settled at the deadline'}; crotel: ${count(run.exported)} acknowledged in ${count(run.exportCalls)} exports, export failures ${run.exportFailures}, dropped (crotel_spans_dropped) queue_full ${count(run.dropped.queueFull)}, shutdown ${count(run.dropped.shutdown)}; spot check: ${run.spotCheck.whole}/${run.spotCheck.checked} sampled traces whole in Jaeger's query API${run.spotCheck.mismatches.length > 0 ? ` (e.g. ${run.spotCheck.mismatches.slice(0, 2).map((m) => `${m.traceId}: ${m.exported} exported, ${m.inJaeger} stored`).join('; ')})` : ''}`;
}

function exportTimes(run: CapacityRun): string {
  return `export call → answer (serialize, POST, receiver) p50 ${ms(run.exportMs.p50)}, p99 ${ms(run.exportMs.p99)}, max ${ms(run.exportMs.max)} over ${count(run.exportCalls)} exports`;
}

function capacityRows(run: CapacityRun): Row[] {
  const wall = run.feedSeconds + run.drainSeconds;
  const dropped = run.dropped.queueFull + run.dropped.shutdown;
  const maxQueued = Math.max(0, ...run.queue.map((s) => s.queued));
  const keptUp = dropped === 0 && maxQueued < run.maxQueue;
  const pin = run.pinnedCpu !== undefined ? `pinned to CPU ${run.pinnedCpu}${run.receiverCpus ? `, receivers on CPU ${run.receiverCpus}` : ''}` : 'NOT pinned';
  const cpuShare = `${((run.cpuSeconds / wall) * 100).toFixed(0)}% of the core`;
  const stream = `${count(run.events)} ${run.source} events (${count(run.uniqueEvents)} distinct over ${count(run.lifecycleObjects)} objects — ${run.sourceNote}; store seeded with ${count(run.objects)} listed objects), ${mib(run.bytes)}; ${(run.transitions / run.events).toFixed(2)} transitions and ${(run.spans / run.events).toFixed(2)} spans per event; ${run.protocol} to ${run.receiverChain}; ${pin}`;
  const queue = `queued spans every 100 ms: ${timeline(run)}`;
  if (run.mode === 'full') {
    const name = `3 capacity, ${run.variant}, full speed`;
    const exportedPerSecond = run.exported / wall;
    return [
      [`${name}: processed`, `${rate(run.transitions / run.feedSeconds)} transitions = ${rate(run.events / run.feedSeconds)} events, ${rate(run.spans / run.feedSeconds)} spans; per CPU-second ${rate(run.transitions / run.cpuSeconds)} transitions`,
        `decode → store → tracker → recorder → shipper → exporter, nothing paced: ${stream}; fed in ${secs(run.feedSeconds)}, CPU ${secs(run.cpuSeconds)} in ${secs(wall)} wall (${cpuShare}: less than 100% means other processes took the core), GC ${ms(run.gcMs)}; decode errors ${run.decodeErrors}, invalid ${run.invalid}`],
      [`${name}: exported`, `${rate(exportedPerSecond)} spans acknowledged (${rate(exportedPerSecond * (run.transitions / run.spans))} transitions' worth); ${keptUp ? 'the exporter kept up' : `the exporter did NOT keep up: ${count(dropped)} dropped`}`,
        `first event → every span acknowledged or dropped: feed ${secs(run.feedSeconds)} + drain ${secs(run.drainSeconds)} (the queue flushed as at SIGTERM, not at the next flush tick); one export in flight at a time (SpanShipper), mean batch ${(run.exported / Math.max(1, run.exportCalls)).toFixed(0)} spans; ${exportTimes(run)}`],
      [`${name}: delivered`, `${delivered(run)}; dropped ${count(dropped)}`, deliveredDetail(run)],
      [`${name}: queue`, `max ${count(maxQueued)} of ${count(run.maxQueue)}`, queue],
    ];
  }
  const aim = run.aimTransitions ?? run.rate * (run.transitions / run.events);
  const achieved = run.transitions / run.feedSeconds;
  const sustained = keptUp && achieved >= 0.98 * aim;
  const name = `3 capacity, ${run.variant}, paced at ${rate(aim)} transitions${run.mode === 'target' ? ' (the target)' : ' (90% of the full-speed export rate)'}`;
  const verdict = run.mode === 'target'
    ? `; ≥ ${count(CAPACITY_TARGET_TRANSITIONS)}/s ${sustained && achieved >= 0.98 * CAPACITY_TARGET_TRANSITIONS ? 'met' : 'MISSED'}`
    : '';
  return [
    [`${name}: sustained?`, `${sustained ? 'yes' : 'NO'}: ${rate(achieved)} transitions (${rate(run.events / run.feedSeconds)} events, ${rate(run.exported / wall)} spans acknowledged), ${cpuShare}, dropped ${count(dropped)}${verdict}`,
      `${stream}; ${secs(run.feedSeconds)} paced + drain ${secs(run.drainSeconds)}; CPU ${secs(run.cpuSeconds)}, GC ${ms(run.gcMs)}; ${exportTimes(run)}`],
    [`${name}: delivered, queue`, `${delivered(run)}; queue max ${count(maxQueued)} of ${count(run.maxQueue)}`, `${deliveredDetail(run)}; ${queue}`],
  ];
}

export function tracesSummaryRows(r: TracesBenchResults): Row[] {
  const rows: Row[] = [];
  if (r.load) rows.push(['1 load', `${count(r.load.objects)} background objects in ${secs(r.load.seconds)}`, `${rate(r.load.objects / r.load.seconds)} objects (POST + status PATCH); listed and watched by crotel, never written again`]);
  for (const run of r.lag) rows.push(...lagRows(run));
  if (r.recordedEvents !== undefined) rows.push(['2 recording', `${count(r.recordedEvents)} watch events`, 'the raw watch stream of all DatabaseInstances during step 2, replayed in step 3']);
  for (const run of r.capacity) rows.push(...capacityRows(run));
  return rows;
}

/** The few figures the issue asks for, one line each. */
export function tracesHeadline(r: TracesBenchResults): string[] {
  const out: string[] = [];
  for (const run of r.capacity.filter((c) => c.mode === 'full')) {
    const wall = run.feedSeconds + run.drainSeconds;
    const dropped = run.dropped.queueFull + run.dropped.shutdown;
    const target = r.capacity.find((c) => c.mode === 'target' && c.variant === run.variant);
    const probe = r.capacity.find((c) => c.mode === 'probe' && c.variant === run.variant);
    const paced = (c: CapacityRun): string => {
      const d = c.dropped.queueFull + c.dropped.shutdown;
      const ok = d === 0 && Math.max(0, ...c.queue.map((q) => q.queued)) < c.maxQueue && c.transitions / c.feedSeconds >= 0.98 * (c.aimTransitions ?? 0);
      return `${rate(c.transitions / c.feedSeconds)} transitions ${ok ? 'sustained' : 'NOT sustained'} (${((c.cpuSeconds / (c.feedSeconds + c.drainSeconds)) * 100).toFixed(0)}% of the core, ${count(d)} dropped)`;
    };
    out.push(`- Capacity, one core → ${run.variant === 'jaeger' ? 'Jaeger v2' : 'Collector → Jaeger v2'}: full speed processed ${rate(run.transitions / run.feedSeconds)} transitions (${rate(run.transitions / run.cpuSeconds)} per CPU-second), exporter acknowledged ${rate(run.exported / wall)} spans${dropped > 0 ? `, ${count(dropped)} dropped` : ', none dropped'}` +
      `${target ? `; at the target ${paced(target)}` : ''}${probe ? `; probe ${paced(probe)}` : ''}.`);
  }
  for (const run of r.lag) {
    const l = run.lag;
    out.push(`- Lag at ${rate(l.achievedRate)} writes, ${run.variant === 'direct' ? 'write → span leaving crotel' : 'write → root span out of the Collector (batch 200 ms)'}: p50 ${ms(l.total.p50Ms)}, p99 ${ms(l.total.p99Ms)}, max ${ms(l.total.maxMs)} (write → crotel processed it: p50 ${ms(l.observed.p50Ms)}, p99 ${ms(l.observed.p99Ms)}); ${l.growing ? 'GROWING' : 'not growing'}.`);
  }
  return out;
}

export function tracesSummaryMarkdown(r: TracesBenchResults): string {
  const headline = tracesHeadline(r);
  const lines = [
    `## crotel lifecycle-traces benchmark — ${count(r.objects)} background DatabaseInstances in ${r.namespaces} namespaces`,
    '',
    `Command: \`${r.command}\``,
    '',
    `Environment: ${r.environment}`,
    '',
    ...(headline.length > 0 ? [...headline, ''] : []),
    '| step | figure | detail |',
    '|---|---|---|',
    ...tracesSummaryRows(r).map(([a, b2, c]) => `| ${a} | ${b2} | ${c.replace(/\|/g, '\\|')} |`),
  ];
  if (r.errors.length > 0) lines.push('', '**Errors:**', ...r.errors.map((e) => `- ${e}`));
  return `${lines.join('\n')}\n`;
}
