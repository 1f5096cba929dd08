// README.md's benchmark tables, generated from the kept results in bench/results/: each table sits
// between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` and is rendered from bench/results/NAME.json
// by the renderer of that name below. `npm run bench -- readme` rewrites them;
// test/unit/bench-readme.test.ts fails when the README's tables differ from what this produces, so
// a figure changes by keeping a new result, not by editing prose.
import { markdownTable } from './report.ts';
import { formatFigure } from './results.ts';

type Json = Record<string, unknown>;
type Renderer = (result: Json) => string;

/** A nested value of a result, by dotted path; throws naming the path when it is missing. */
function at(result: Json, path: string): unknown {
  let value: unknown = result;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') throw new Error(`no ${path} in the result`);
    value = (value as Json)[key];
  }
  if (value === undefined) throw new Error(`no ${path} in the result`);
  return value;
}

function num(result: Json, path: string): number {
  const value = at(result, path);
  if (typeof value !== 'number') throw new Error(`${path}: expected a number, got ${JSON.stringify(value)}`);
  return value;
}

/** A figure with a fixed number of decimals (thousands separated). */
function fixed(value: number, decimals: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const n = (value: number): string => formatFigure(value);
const msOrS = (ms: number): string => (ms >= 1000 ? `${n(ms / 1000)} s` : `${n(ms)} ms`);
const KIB = 1024;
const MIB = 1024 * 1024;

function metrics100k(r: Json): string {
  const g = (path: string): number => num(r, path);
  // The ratios as the run computed them from unrounded times.
  const ratio = g('start.ratio');
  const listedRatio = g('start.listedRatio');
  const heap = g('heap.bytesPerObject');
  return markdownTable(['figure', 'measured'], [
    [`bare paginated list of the ${n(g('objects'))} objects (the floor)`, `${n(g('list.seconds'))} s, ${n(g('list.mib'))} MiB of JSON (${n(g('list.secondRunSeconds'))} s in a second run)`],
    ["start → every object's series on `/metrics`", `${fixed(g('start.completeSeconds'), 1)} s = **${fixed(ratio, 2)}×** the bare list [≤ 1.5×]; crotel's own list ${n(g('start.listedSeconds'))} s (${fixed(listedRatio, 2)}×); second run ${n(g('start.secondRunCompleteSeconds'))} s = ${fixed(g('start.secondRunRatio'), 2)}×`],
    ['heap retained per object', `**${n(heap)} B** in the crotel process (heap after GC, synced − empty); ${n(g('heap.storeBytesPerObject'))} B for the store alone, the rest is the open-episode state of objects not yet healthy [≤ 1 KiB: ${heap <= KIB ? 'met' : '**not reached**'}]`],
    ['RSS after sync', `${n(g('rss.afterSyncMinMiB'))}–${n(g('rss.afterSyncMaxMiB'))} MiB (${n(g('rss.emptyMiB'))} MiB with no objects)`],
    ['full `/metrics` scrape', `**${n(g('scrape.medianMs'))} ms** median for ${n(g('series'))} series, ${n(g('scrape.mib'))} MiB (${n(g('scrape.secondRunMedianMs'))} ms in the second run) [≤ 1 s]`],
    ['updates processed on one core (recorded watch stream replayed through decode → extract → store → tracker)', `**${n(g('replay.updatesPerSecond'))}/s** (${n(g('replay.usPerUpdate'))} µs each) [≥ 5,000/s]`],
    [`write → event on a watch (the apiserver's share at ${n(g('lag.rate'))} writes/s)`, `p50 ${n(g('lag.watchDelivery.p50Ms'))} ms, p99 ${n(g('lag.watchDelivery.p99Ms'))} ms`],
    [`write → new value on \`/metrics\` at ${n(g('lag.rate'))} writes/s`, `p50 ${msOrS(g('lag.metrics.p50Ms'))}, p99 ${msOrS(g('lag.metrics.p99Ms'))} — upper bounds set by the ${msOrS(g('lag.metrics.resolutionMs'))} scrape period a ${n(g('scrape.mib'))} MiB scrape allows; at ${n(g('lag.at3000.objects'))} objects (${n(g('lag.at3000.resolutionMs'))} ms period) p50 ${n(g('lag.at3000.p50Ms'))} ms, p99 ${n(g('lag.at3000.p99Ms'))} ms with the 100 ms watch coalescing; no growth over the run in either`],
  ]);
}

/** A run of the metrics scenario with --only-scrape: plain and gzip scrapes side by side. */
function scrapeGzip(r: Json): string {
  const size = (bytes: number): string => (bytes < MIB ? `${fixed(bytes / KIB, 1)} KiB` : `${fixed(bytes / MIB, 1)} MiB`);
  const plain = (path: string): number => num(r, `scrapes.${path}`);
  const gzip = (path: string): number => num(r, `scrapesGzip.${path}`);
  return markdownTable(['per scrape', 'plain text', 'gzip'], [
    ['bytes on the wire', size(plain('wireBytes')), `**${size(gzip('wireBytes'))}** (${Math.round(gzip('bytes') / gzip('wireBytes'))}× smaller)`],
    ['time, median (min)', `${Math.round(plain('medianMs'))} ms (${Math.round(plain('minMs'))} ms)`, `${Math.round(gzip('medianMs'))} ms (${Math.round(gzip('minMs'))} ms), the client's inflation included`],
    ["crotel's CPU", `${Math.round(plain('cpuMsPerScrape'))} ms`, `${Math.round(gzip('cpuMsPerScrape'))} ms`],
  ]);
}

function traces10k(r: Json): string {
  const g = (path: string): number => num(r, path);
  const target = g('capacity.target.transitionsPerSecond');
  const p99 = g('lag.direct.p99Ms');
  return markdownTable(['figure', 'measured'], [
    ['whole path on one core (recorded watch stream → decode → store → tracker → shipper → OTLP http/protobuf) at the target rate',
      `**${n(target)} transitions/s sustained at ${n(g('capacity.target.coreMinPercent'))}–${n(g('capacity.target.coreMaxPercent'))}% of the core**, ${n(g('capacity.target.dropped'))} spans dropped, all ${n(g('capacity.target.spansStored'))} spans stored by Jaeger v2 (direct and through the Collector) [≥ 10,000/s${target >= 10_000 ? '' : ': **missed**'}]`],
    ['same, unpaced', `${n(g('capacity.full.jaeger.transitionsPerSecond'))} transitions/s processed, ${n(g('capacity.full.jaeger.spansAcknowledgedPerSecond'))} spans/s acknowledged by Jaeger v2 (${n(g('capacity.full.collector.transitionsPerSecond'))} / ${n(g('capacity.full.collector.spansAcknowledgedPerSecond'))} through the Collector), ${g('capacity.full.jaeger.dropped') + g('capacity.full.collector.dropped') === 0 ? 'none' : 'some'} dropped`],
    ['write → root span leaving crotel', `p50 ${n(g('lag.direct.p50Ms'))} ms, p99 **${n(p99)} ms** (write → crotel processed it p50 ${n(g('lag.direct.processedP50Ms'))} ms, p99 ${n(g('lag.direct.processedP99Ms'))} ms: mostly the 100 ms watch coalescing window; the rest is the 200 ms flush interval) [p99 ≤ 1 s${p99 <= 1000 ? '' : ': **missed**'}]`],
    ['write → root span out of the Collector (batch 200 ms)', `p50 ${n(g('lag.collector.p50Ms'))} ms, p99 **${n(g('lag.collector.p99Ms'))} ms**; ${at(r, 'lag.collector.growing') === true ? 'GROWING over the run' : 'no growth over the run'}`],
    [`crotel while writing (${n(g('rate'))} writes/s)`, `${n(g('crotel.corePercent'))}% of a core, RSS ~${n(g('crotel.rssMiB'))} MiB`],
  ]);
}

interface KsmTool {
  name: string;
  startSeconds: number[];
  rssMiB: number[];
  scrapeTextMs: number[];
  scrapeRawMs: (number | null)[];
  cpuPerScrapeMs: (number | null)[];
  scrapeMiB: number;
  idleCores: number;
  writeCores: number[];
}

function ksmSideBySide(r: Json): string {
  const tools = at(r, 'tools') as KsmTool[];
  const runs = (values: readonly (number | null)[], format: (v: number) => string, unit: string, bold: boolean): string => {
    const text = `${values.map((v) => (v === null ? '–' : format(v))).join(' / ')} ${unit}`;
    return bold ? `**${text}**` : text;
  };
  const crotel = (t: KsmTool): boolean => t.name.startsWith('crotel');
  const row = (label: string, cell: (t: KsmTool) => string): string[] => [label, ...tools.map(cell)];
  return markdownTable(['figure', ...tools.map((t) => t.name)], [
    row('start → all series served', (t) => runs(t.startSeconds, (v) => fixed(v, 1), 's', crotel(t))),
    row('RSS after sync', (t) => runs(t.rssMiB, n, 'MiB', crotel(t))),
    row(`full scrape, \`fetch\` + \`text()\` (median of ${n(num(r, 'scrapes'))})`, (t) => runs(t.scrapeTextMs, n, 'ms', crotel(t))),
    row(`full scrape, body read raw (median of ${n(num(r, 'scrapes'))})`, (t) => runs(t.scrapeRawMs, n, 'ms', crotel(t))),
    row("the tool's CPU per full scrape", (t) => runs(t.cpuPerScrapeMs, n, 'ms', crotel(t))),
    row('full scrape size', (t) => `${fixed(t.scrapeMiB, 1)} MiB`),
    row('CPU idle', (t) => `${fixed(t.idleCores, 3)} cores`),
    row(`CPU during ${n(num(r, 'rate'))} status writes/s`, (t) => runs(t.writeCores, (v) => fixed(v, 3), 'cores', false)),
  ]);
}

interface WatchCpuRow {
  process: string;
  msPerUpdate: number;
  cores: number;
}

function watchCpu(r: Json): string {
  const rows = at(r, 'rows') as WatchCpuRow[];
  const reference = rows.find((x) => x.process.startsWith('kube-state-metrics'));
  const better = (x: WatchCpuRow): boolean => reference !== undefined && x !== reference && x.msPerUpdate < reference.msPerUpdate;
  const b = (text: string, on: boolean): string => (on ? `**${text}**` : text);
  return markdownTable(['process', 'ms CPU per update', 'cores'], rows.map((x) => [x.process, b(fixed(x.msPerUpdate, 2), better(x)), b(fixed(x.cores, 4), better(x))]));
}

interface KsmSizeTool {
  name: string;
  startSeconds: number;
  rssMiB: number;
  scrapeRawMs: number;
  cpuPerScrapeMs: number;
  gzipRawMs: number;
  cpuPerGzipScrapeMs: number;
  idleCores: number;
  writeCores: number;
}

/** `ksm-side-by-side --sizes …`: per size and figure, kube-state-metrics against crotel, the lower in bold. */
function ksmSizes(r: Json): string {
  const sizes = at(r, 'sizes') as { objects: number; tools: KsmSizeTool[] }[];
  const names = sizes[0]?.tools.map((t) => t.name) ?? [];
  /** A row: the value compared (lower is better) and the text shown, per tool. */
  const figures: [string, (t: KsmSizeTool) => number, (t: KsmSizeTool) => string][] = [
    ['start → all series', (t) => t.startSeconds, (t) => `${fixed(t.startSeconds, 1)} s`],
    ['RSS after sync', (t) => Math.round(t.rssMiB), (t) => `${n(Math.round(t.rssMiB))} MiB`],
    ['full scrape, raw read / tool CPU', (t) => Math.round(t.scrapeRawMs), (t) => `${n(Math.round(t.scrapeRawMs))} ms / ${n(Math.round(t.cpuPerScrapeMs))} ms`],
    ['gzip scrape, raw read / tool CPU', (t) => Math.round(t.gzipRawMs), (t) => `${n(Math.round(t.gzipRawMs))} ms / ${n(Math.round(t.cpuPerGzipScrapeMs))} ms`],
    ['CPU idle', (t) => Number(t.idleCores.toFixed(3)), (t) => `${fixed(t.idleCores, 3)} cores`],
    [`CPU during ${n(num(r, 'rate'))} writes/s`, (t) => Number(t.writeCores.toFixed(3)), (t) => `${fixed(t.writeCores, 3)} cores`],
  ];
  const rows: string[][] = [];
  for (const size of sizes) {
    for (const [label, value, text] of figures) {
      const values = size.tools.map(value);
      const best = Math.min(...values);
      const alone = values.filter((v) => v === best).length === 1;
      rows.push([n(size.objects), label, ...size.tools.map((t, i) => (alone && values[i] === best ? `**${text(t)}**` : text(t)))]);
    }
  }
  return markdownTable(['objects', 'figure', ...names], rows);
}

/** Table name → how it is rendered from bench/results/NAME.json. */
export const README_TABLES: Readonly<Record<string, Renderer>> = {
  'metrics-100k': metrics100k,
  'scrape-gzip-5000': scrapeGzip,
  'traces-10k': traces10k,
  'ksm-side-by-side-100k': ksmSideBySide,
  'ksm-side-by-side-sizes': ksmSizes,
  'watch-cpu-100k': watchCpu,
};

const BLOCK = /<!-- bench:([\w.-]+) -->\n[\s\S]*?<!-- \/bench:\1 -->/g;

/** The names of the generated blocks a README holds, in order. */
export function readmeBlocks(readme: string): string[] {
  return [...readme.matchAll(BLOCK)].map((m) => m[1]!);
}

/** The README with every generated block rendered anew from `load(name)` (the parsed results file). */
export function renderReadme(readme: string, load: (name: string) => unknown): string {
  return readme.replace(BLOCK, (_block, name: string) => {
    const render = README_TABLES[name];
    if (!render) throw new Error(`README block bench:${name} has no renderer in bench/lib/readme.ts`);
    let table: string;
    try {
      table = render(load(name) as Json);
    } catch (error) {
      throw new Error(`bench/results/${name}.json: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return `<!-- bench:${name} -->\n${table}<!-- /bench:${name} -->`;
  });
}
