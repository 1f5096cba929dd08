// kube-state-metrics v2.20 and crotel side by side on one apiserver, reading the same KSM
// CustomResourceStateMetrics config (bench/workloads/ksm-databaseinstance.yaml) over N DatabaseInstances.
//   npm run bench -- ksm-side-by-side [--objects 10000] [--rate 50] [--duration 20] [--scrapes 3] [--json FILE]
// Figures per tool: time from spawn to all expected series served, RSS after sync, full scrape
// time (median; read with fetch + text() as a client would, and read raw, which leaves out the
// client's decoding) with the tool's own CPU per scrape, CPU (cores) while statuses change at a
// steady rate. The two start one after the other (not competing for the CPU), then both watch
// the same writes.
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
import { median, mib, ms, now, secs, sleep } from '../lib/stats.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;

const HELP = 'npm run bench -- ksm-side-by-side [--objects N] [--namespaces N] [--concurrency N] [--rate R] [--duration S] [--scrapes N] [--json FILE]\n';

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
  args: argv,
  options: {
    objects: { type: 'string', default: '10000' },
    namespaces: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '32' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '20' },
    scrapes: { type: 'string', default: '3' },
    json: { type: 'string' },
    help: { type: 'boolean' },
  },
  });
  const num = (k: 'objects' | 'namespaces' | 'concurrency' | 'rate' | 'duration' | 'scrapes'): number => numberFlag(k, values[k]);
  return {
    help: values.help === true, json: values.json,
    objects: num('objects'), namespaces: num('namespaces'), concurrency: num('concurrency'), rate: num('rate'), duration: num('duration'), scrapes: num('scrapes'),
  };
}

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
}

async function rawRead(url: string): Promise<number> {
  const res = await request(url);
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
    if (bytes < body.length) throw new Error(`${tool.name}: a raw scrape was shorter than the text one`);
  }
  return { text: median(text), raw: median(raw), cpu: median(cpu), bytes };
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const { objects: N, rate: RATE, duration: DURATION, scrapes: SCRAPES } = flags;
  const num = (k: 'namespaces' | 'concurrency'): number => flags[k];
  const EXPECTED = N * KSM_SERIES_PER_OBJECT;
  process.stdout.write(`kube-state-metrics v2.20 vs crotel, ${N} DatabaseInstances, ${EXPECTED} expected series\n`);
  const cp = await startControlPlane();
  const api = new ApiClient(cp, num('concurrency'));
  const tools: Tool[] = [];
  try {
    await applyCrds(cp, CRD);
    await ensureNamespaces(api, num('namespaces'));
    const load = await loadInstances(api, { objects: N, namespaces: num('namespaces'), concurrency: num('concurrency') });
    process.stdout.write(`loaded ${N} objects in ${secs(load.seconds)}\n`);

    const figures = new Map<string, { start: number; rss: number; scrape: ScrapeFigures; cpu?: number; idle?: number }>();
    // kube-state-metrics first, then crotel; each alone while it syncs.
    let t = now();
    const ksm: KsmProcess = await startKsm(cp, KSM_CONFIG);
    const ksmTool: Tool = { name: 'kube-state-metrics v2.20.0', pid: ksm.pid, metricsUrl: `${ksm.url}/metrics`, scrape: () => ksm.scrape(), stop: () => ksm.stop() };
    tools.push(ksmTool);
    const ksmStart = await timeToAllSeries(ksmTool, t, EXPECTED);
    await sleep(2000);
    figures.set(ksmTool.name, { start: ksmStart, rss: procMemory(ksm.pid).rss, scrape: await scrapeTimes(ksmTool, SCRAPES, EXPECTED) });

    t = now();
    const crotel: CrotelProcess = await startCrotel({ args: ['--ksm-config', KSM_CONFIG, '--kubeconfig', cp.kubeconfigPath], env: { CROTEL_LOG_LEVEL: 'info' } });
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
      if ((await steadyStatusWrite(api, w, N, num('namespaces'))).status === 200) written++;
    });
    const window = (now() - started) / 1000;
    for (const x of tools) figures.get(x.name)!.cpu = ((cpuSecondsOf(x.pid) ?? NaN) - before.get(x.name)!) / window;

    const rows = [...figures];
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |\n`;
    process.stdout.write(`\n${N} DatabaseInstances, ${EXPECTED} series; ${written} status writes at ${RATE}/s over ${secs(window)}\n\n`);
    process.stdout.write(line(['figure', ...rows.map(([name]) => name)]));
    process.stdout.write(line(['---', ...rows.map(() => '---')]));
    process.stdout.write(line(['start → all series served', ...rows.map(([, f]) => secs(f.start))]));
    process.stdout.write(line(['RSS after sync', ...rows.map(([, f]) => mib(f.rss))]));
    process.stdout.write(line([`full scrape, fetch + text() (median of ${SCRAPES})`, ...rows.map(([, f]) => ms(f.scrape.text))]));
    process.stdout.write(line([`full scrape, body read raw (median of ${SCRAPES})`, ...rows.map(([, f]) => ms(f.scrape.raw))]));
    process.stdout.write(line(['tool CPU per full scrape (median)', ...rows.map(([, f]) => ms(f.scrape.cpu))]));
    process.stdout.write(line(['full scrape size', ...rows.map(([, f]) => mib(f.scrape.bytes))]));
    process.stdout.write(line(['CPU idle (no writes)', ...rows.map(([, f]) => `${(f.idle ?? NaN).toFixed(3)} cores`)]));
    process.stdout.write(line([`CPU during ${RATE} writes/s`, ...rows.map(([, f]) => `${(f.cpu ?? NaN).toFixed(3)} cores`)]));
    if (flags.json) {
      const results = { command: commandLine('ksm-side-by-side', argv), date: new Date().toISOString().slice(0, 10), objects: N, series: EXPECTED, rate: RATE, writes: written, tools: Object.fromEntries(rows) };
      writeFileSync(flags.json, `${JSON.stringify(results, null, 2)}\n`);
    }
    return 0;
  } finally {
    for (const x of tools.reverse()) await x.stop().catch(() => undefined);
    await api.close();
    await cp.stop();
  }
}

export const scenario: Scenario = { name: 'ksm-side-by-side', help: HELP, run: main };
