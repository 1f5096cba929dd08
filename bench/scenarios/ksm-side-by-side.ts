// kube-state-metrics v2.20 and crotel side by side on one apiserver, reading the same KSM
// CustomResourceStateMetrics config (bench/workloads/ksm-databaseinstance.yaml) over N DatabaseInstances,
// for one size or several in one run (a fresh control plane per size):
//   npm run bench -- ksm-side-by-side [--sizes 1000,10000,100000 | --objects N] [--rate 50] [--duration 20]
//     [--scrapes 3] [--crotel-bin FILE] [--json FILE]
// Figures per tool: time from spawn to all expected series served, RSS after sync, full scrape
// time (median; read with fetch + text() as a client would, and read raw, which leaves out the
// client's decoding) with the tool's own CPU per scrape, the same asking for gzip as Prometheus
// always does (kube-state-metrics runs with --enable-gzip-encoding), CPU (cores) idle and while
// statuses change at a steady rate. The two start one after the other (not competing for the
// CPU), then both watch the same writes. `--crotel-bin` runs another entry point, e.g. a built
// dist/cli.js (what the npm package and the image run).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { startControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { applyCrds } from '../../harness/kube.ts';
import { startKsm, type KsmProcess } from '../../harness/ksm.ts';
import { ApiClient } from '../lib/api.ts';
import { KSM_CONFIG, KSM_SERIES_PER_OBJECT, countKsmSeries, steadyStatusWrite } from '../workloads/ksm.ts';
import { ensureNamespaces, loadInstances } from '../workloads/databaseinstances.ts';
import { commandLine, numberFlag, type Scenario } from '../lib/cli.ts';
import { openLoop } from '../lib/open-loop.ts';
import { cpuSecondsOf, procMemory } from '../lib/proc.ts';
import { median, mib, ms, now, secs, size as bytesText, sleep } from '../lib/stats.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;

const HELP = 'npm run bench -- ksm-side-by-side [--sizes N,N,… | --objects N] [--namespaces N] [--concurrency N] [--rate R] [--duration S] [--scrapes N] [--crotel-bin FILE] [--json FILE]\n';

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
  args: argv,
  options: {
    objects: { type: 'string' },
    sizes: { type: 'string' },
    namespaces: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '32' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '20' },
    scrapes: { type: 'string', default: '3' },
    'crotel-bin': { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean' },
  },
  });
  const num = (k: 'namespaces' | 'concurrency' | 'rate' | 'duration' | 'scrapes'): number => numberFlag(k, values[k]);
  if (values.objects !== undefined && values.sizes !== undefined) throw new Error('give --sizes or --objects, not both');
  const sizes = values.sizes !== undefined
    ? values.sizes.split(',').map((x) => numberFlag('sizes', x.trim()))
    : [numberFlag('objects', values.objects ?? '10000')];
  return {
    help: values.help === true, json: values.json, crotelBin: values['crotel-bin'], sizes,
    namespaces: num('namespaces'), concurrency: num('concurrency'), rate: num('rate'), duration: num('duration'), scrapes: num('scrapes'),
  };
}
type Flags = ReturnType<typeof parseFlags>;

interface Tool {
  readonly name: string;
  readonly pid: number;
  /** The tool's /metrics URL. */
  readonly metricsUrl: string;
  scrape(): Promise<string>;
  stop(): Promise<unknown>;
}


async function timeToAllSeries(tool: Tool, spawnedAt: number, EXPECTED: number): Promise<number> {
  const deadline = now() + 30 * 60_000;
  while (now() < deadline) {
    const got = countKsmSeries(await tool.scrape().catch(() => ''));
    if (got >= EXPECTED) return (now() - spawnedAt) / 1000;
    await sleep(250);
  }
  throw new Error(`${tool.name}: not all ${EXPECTED} series within 30 min`);
}

interface ScrapeFigures {
  /** fetch + text(): what a client that reads the text pays. */
  readonly text: number;
  /** The body drained as bytes: the tool's part without the client's decoding. */
  readonly raw: number;
  /** The tool's own CPU per scrape (ms), from /proc over the raw reads. */
  readonly cpu: number;
  /** Bytes of the last raw read. */
  readonly bytes: number;
  /** Asking for gzip, as Prometheus does: the compressed body read raw, the tool's CPU, its bytes. */
  readonly gzip: { readonly raw: number; readonly cpu: number; readonly bytes: number };
}

async function rawRead(url: string, gzip = false): Promise<number> {
  const res = await request(url, gzip ? { headers: { 'accept-encoding': 'gzip' } } : {});
  if (gzip && res.headers['content-encoding'] !== 'gzip') throw new Error(`${url}: asked for gzip, answered ${String(res.headers['content-encoding'] ?? 'plain')}`);
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
  return bytes;
}

async function scrapeTimes(tool: Tool, SCRAPES: number, EXPECTED: number): Promise<ScrapeFigures> {
  const text: number[] = [];
  const raw: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i++) {
    let t = now();
    const body = await tool.scrape();
    text.push(now() - t);
    if (countKsmSeries(body) < EXPECTED) throw new Error(`${tool.name}: a full scrape lacked series`);
    const cpuBefore = cpuSecondsOf(tool.pid) ?? NaN;
    t = now();
    bytes = await rawRead(tool.metricsUrl);
    raw.push(now() - t);
    cpu.push(((cpuSecondsOf(tool.pid) ?? NaN) - cpuBefore) * 1000);
    // The self-metrics trailer moves by a few bytes between two scrapes (values' digits): only a raw read clearly shorter is a cut answer.
    if (bytes < body.length * 0.99) throw new Error(`${tool.name}: a raw scrape was shorter than the text one (${bytes} bytes, ${body.length} characters)`);
  }
  const gzRaw: number[] = [];
  const gzCpu: number[] = [];
  let gzBytes = 0;
  for (let i = 0; i < SCRAPES; i++) {
    const cpuBefore = cpuSecondsOf(tool.pid) ?? NaN;
    const t = now();
    gzBytes = await rawRead(tool.metricsUrl, true);
    gzRaw.push(now() - t);
    gzCpu.push(((cpuSecondsOf(tool.pid) ?? NaN) - cpuBefore) * 1000);
  }
  return { text: median(text), raw: median(raw), cpu: median(cpu), bytes, gzip: { raw: median(gzRaw), cpu: median(gzCpu), bytes: gzBytes } };
}

interface ToolFigures { start: number; rss: number; scrape: ScrapeFigures; cpu?: number; idle?: number }
interface SizeFigures { readonly objects: number; readonly series: number; readonly writes: number; readonly writeWindow: number; readonly tools: Map<string, ToolFigures> }

async function measureSize(flags: Flags, N: number): Promise<SizeFigures> {
  const { rate: RATE, duration: DURATION, scrapes: SCRAPES } = flags;
  const EXPECTED = N * KSM_SERIES_PER_OBJECT;
  process.stdout.write(`kube-state-metrics v2.20 vs crotel, ${N} DatabaseInstances, ${EXPECTED} expected series\n`);
  const cp = await startControlPlane();
  const api = new ApiClient(cp, flags.concurrency);
  const tools: Tool[] = [];
  try {
    await applyCrds(cp, CRD);
    await ensureNamespaces(api, flags.namespaces);
    const load = await loadInstances(api, { objects: N, namespaces: flags.namespaces, concurrency: flags.concurrency });
    process.stdout.write(`loaded ${N} objects in ${secs(load.seconds)}\n`);

    const figures = new Map<string, ToolFigures>();
    // kube-state-metrics first, then crotel; each alone while it syncs.
    let t = now();
    const ksm: KsmProcess = await startKsm(cp, KSM_CONFIG, ['--enable-gzip-encoding']);
    const ksmTool: Tool = { name: 'kube-state-metrics v2.20.0', pid: ksm.pid, metricsUrl: `${ksm.url}/metrics`, scrape: () => ksm.scrape(), stop: () => ksm.stop() };
    tools.push(ksmTool);
    const ksmStart = await timeToAllSeries(ksmTool, t, EXPECTED);
    await sleep(2000);
    figures.set(ksmTool.name, { start: ksmStart, rss: procMemory(ksm.pid).rss, scrape: await scrapeTimes(ksmTool, SCRAPES, EXPECTED) });

    t = now();
    const crotel: CrotelProcess = await startCrotel({ args: ['--ksm-config', KSM_CONFIG, '--kubeconfig', cp.kubeconfigPath], env: { CROTEL_LOG_LEVEL: 'info' }, ...(flags.crotelBin ? { bin: flags.crotelBin } : {}) });
    const crotelTool: Tool = { name: 'crotel --ksm-config', pid: crotel.child.pid ?? -1, metricsUrl: `${crotel.url}/metrics`, scrape: () => crotel.scrape(), stop: () => crotel.stop() };
    tools.push(crotelTool);
    const crotelStart = await timeToAllSeries(crotelTool, t, EXPECTED);
    await sleep(2000);
    figures.set(crotelTool.name, { start: crotelStart, rss: procMemory(crotelTool.pid).rss, scrape: await scrapeTimes(crotelTool, SCRAPES, EXPECTED) });

    // Let the garbage of the full scrapes above be collected first (both runtimes do so lazily),
    // then measure each tool idle over a window as long as the write window, as the baseline.
    await sleep(10_000);
    const idleStart = new Map(tools.map((x) => [x.name, cpuSecondsOf(x.pid) ?? NaN]));
    const idleT = now();
    await sleep(DURATION * 1000);
    const idleWindow = (now() - idleT) / 1000;
    for (const x of tools) figures.get(x.name)!.idle = ((cpuSecondsOf(x.pid) ?? NaN) - idleStart.get(x.name)!) / idleWindow;

    // Steady status changes, both tools watching; CPU from /proc over the window.
    const before = new Map(tools.map((x) => [x.name, cpuSecondsOf(x.pid) ?? NaN]));
    const writes = Math.round(RATE * DURATION);
    const started = now();
    let written = 0;
    await openLoop(RATE, writes, 8, async (w) => {
      if ((await steadyStatusWrite(api, w, N, flags.namespaces)).status === 200) written++;
    });
    const window = (now() - started) / 1000;
    for (const x of tools) figures.get(x.name)!.cpu = ((cpuSecondsOf(x.pid) ?? NaN) - before.get(x.name)!) / window;
    return { objects: N, series: EXPECTED, writes: written, writeWindow: window, tools: figures };
  } finally {
    for (const x of tools.reverse()) await x.stop().catch(() => undefined);
    await api.close();
    await cp.stop();
  }
}

function printSize(size: SizeFigures, flags: Flags): void {
  const rows = [...size.tools];
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |\n`;
  process.stdout.write(`\n${size.objects} DatabaseInstances, ${size.series} series; ${size.writes} status writes at ${flags.rate}/s over ${secs(size.writeWindow)}\n\n`);
  process.stdout.write(line(['figure', ...rows.map(([name]) => name)]));
  process.stdout.write(line(['---', ...rows.map(() => '---')]));
  process.stdout.write(line(['start → all series served', ...rows.map(([, f]) => secs(f.start))]));
  process.stdout.write(line(['RSS after sync', ...rows.map(([, f]) => mib(f.rss))]));
  process.stdout.write(line([`full scrape, fetch + text() (median of ${flags.scrapes})`, ...rows.map(([, f]) => ms(f.scrape.text))]));
  process.stdout.write(line([`full scrape, body read raw (median of ${flags.scrapes})`, ...rows.map(([, f]) => ms(f.scrape.raw))]));
  process.stdout.write(line(['tool CPU per full scrape (median)', ...rows.map(([, f]) => ms(f.scrape.cpu))]));
  process.stdout.write(line(['full scrape size', ...rows.map(([, f]) => mib(f.scrape.bytes))]));
  process.stdout.write(line(['gzip scrape, body read raw (median)', ...rows.map(([, f]) => ms(f.scrape.gzip.raw))]));
  process.stdout.write(line(['tool CPU per gzip scrape (median)', ...rows.map(([, f]) => ms(f.scrape.gzip.cpu))]));
  process.stdout.write(line(['gzip scrape size', ...rows.map(([, f]) => bytesText(f.scrape.gzip.bytes))]));
  process.stdout.write(line(['CPU idle (no writes)', ...rows.map(([, f]) => `${(f.idle ?? NaN).toFixed(3)} cores`)]));
  process.stdout.write(line([`CPU during ${flags.rate} writes/s`, ...rows.map(([, f]) => `${(f.cpu ?? NaN).toFixed(3)} cores`)]));
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const sizes: SizeFigures[] = [];
  for (const N of flags.sizes) {
    const size = await measureSize(flags, N);
    sizes.push(size);
    printSize(size, flags);
  }
  if (flags.json) {
    const mb = (bytes: number): number => Math.round(bytes / 1048576 * 10) / 10;
    const results = {
      command: commandLine('ksm-side-by-side', argv), date: new Date().toISOString().slice(0, 10), node: process.version,
      rate: flags.rate, scrapes: flags.scrapes,
      sizes: sizes.map((s) => ({
        objects: s.objects, series: s.series, writes: s.writes,
        tools: [...s.tools].map(([name, f]) => ({
          name, startSeconds: f.start, rssMiB: mb(f.rss),
          scrapeTextMs: f.scrape.text, scrapeRawMs: f.scrape.raw, cpuPerScrapeMs: f.scrape.cpu, scrapeMiB: mb(f.scrape.bytes),
          gzipRawMs: f.scrape.gzip.raw, cpuPerGzipScrapeMs: f.scrape.gzip.cpu, gzipKiB: Math.round(f.scrape.gzip.bytes / 1024),
          idleCores: f.idle ?? null, writeCores: f.cpu ?? null,
        })),
      })),
    };
    writeFileSync(flags.json, `${JSON.stringify(results, null, 2)}\n`);
  }
  return 0;
}

export const scenario: Scenario = { name: 'ksm-side-by-side', help: HELP, run: main };
