// CPU a crotel process spends per watched update under a steady trickle of status writes, alone
// on the apiserver (no kube-state-metrics beside it), split by thread, with the process's GC
// events in the window. Several crotel binaries can be compared on the same objects, e.g. a
// checkout of an older commit, or several `--watch-coalesce` windows, and kube-state-metrics
// alone on the same objects (`--ksm`) as the reference:
//   npm run bench -- watch-cpu [--objects 100000] [--rate 50] [--duration 60] [--bin path/to/bin/crotel.js …]
//     [--coalesce SECONDS …] [--ksm] [--json FILE]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { freePort } from '../../harness/processes.ts';
import { applyCrds } from '../../harness/kube.ts';
import { startKsm } from '../../harness/ksm.ts';
import { ApiClient } from '../lib/api.ts';
import { KSM_CONFIG, KSM_SERIES_PER_OBJECT, countKsmSeries, steadyStatusWrite } from '../workloads/ksm.ts';
import { ensureNamespaces, loadInstances } from '../workloads/databaseinstances.ts';
import { commandLine, numberFlag, type Scenario } from '../lib/cli.ts';
import { openLoop } from '../lib/open-loop.ts';
import { threadCpuSeconds } from '../lib/proc.ts';
import { now, secs, sleep } from '../lib/stats.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const OWN_BIN = new URL('../../bin/crotel.js', import.meta.url).pathname;

const HELP = 'npm run bench -- watch-cpu [--objects N] [--namespaces N] [--rate R] [--duration S] [--bin crotel.js …] [--coalesce SECONDS …] [--ksm] [--json FILE]\n';

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
  args: argv,
  options: {
    objects: { type: 'string', default: '100000' },
    namespaces: { type: 'string', default: '50' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '60' },
    bin: { type: 'string', multiple: true },
    coalesce: { type: 'string', multiple: true },
    ksm: { type: 'boolean' },
    json: { type: 'string' },
    help: { type: 'boolean' },
  },
  });
  const num = (k: 'objects' | 'namespaces' | 'rate' | 'duration'): number => numberFlag(k, values[k]);
  return {
    help: values.help === true, json: values.json, bin: values.bin, coalesce: values.coalesce, ksm: values.ksm === true,
    objects: num('objects'), namespaces: num('namespaces'), rate: num('rate'), duration: num('duration'),
  };
}
type Flags = ReturnType<typeof parseFlags>;

/** A process under measurement: how to find its threads, its series and its GC log. */
interface Subject {
  readonly pid: number;
  readonly metricsUrl: string;
  /** Its stdout and stderr so far (crotel runs with --trace-gc). */
  output(): string;
  exited(): boolean;
  stop(): Promise<unknown>;
}

interface Variant {
  readonly label: string;
  /** Whether the main thread is Node's (then it is given apart from V8's helper threads). */
  readonly node: boolean;
  start(cp: ControlPlane): Promise<Subject>;
}

async function startCrotelSubject(cp: ControlPlane, bin: string, coalesce: string | undefined): Promise<Subject> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--trace-gc', bin, 'run', '--host', '127.0.0.1', '--port', String(port), '--ksm-config', KSM_CONFIG, '--kubeconfig', cp.kubeconfigPath,
    ...(coalesce === undefined ? [] : ['--watch-coalesce', coalesce])],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CROTEL_LOG_LEVEL: 'warn' } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return {
    pid: child.pid!,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

function variants(values: Flags): Variant[] {
  const bins = values.bin?.length ? values.bin : [OWN_BIN];
  const windows = values.coalesce?.length ? values.coalesce : [undefined];
  const out: Variant[] = [];
  if (values.ksm) {
    out.push({
      label: 'kube-state-metrics v2.20.0',
      node: false,
      start: async (cp) => {
        const ksm = await startKsm(cp, KSM_CONFIG);
        return { pid: ksm.pid, metricsUrl: `${ksm.url}/metrics`, output: () => '', exited: () => false, stop: () => ksm.stop() };
      },
    });
  }
  for (const bin of bins) {
    for (const window of windows) {
      const name = bin === OWN_BIN ? 'crotel (this checkout)' : bin;
      out.push({
        label: window === undefined ? name : `${name}, --watch-coalesce ${window}`,
        node: true,
        start: (cp) => startCrotelSubject(cp, bin, window),
      });
    }
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const { objects: N, namespaces: NAMESPACES, rate: RATE, duration: DURATION } = flags;
  const rows: { process: string; msPerUpdate: number; cores: number; mainMsPerUpdate?: number; otherMsPerUpdate?: number; fullGcs?: number }[] = [];
  process.stdout.write(`CPU per watched update: ${N} DatabaseInstances, ${RATE} status writes/s for ${DURATION} s\n`);
  const cp = await startControlPlane();
  const api = new ApiClient(cp, 32);
  try {
    await applyCrds(cp, CRD);
    await ensureNamespaces(api, NAMESPACES);
    const load = await loadInstances(api, { objects: N, namespaces: NAMESPACES, concurrency: 32 });
    process.stdout.write(`loaded ${N} objects in ${secs(load.seconds)}\n\n| process | ms CPU per update | main thread | other threads | full GCs in the window |\n| --- | --- | --- | --- | --- |\n`);
    let offset = 0;
    for (const variant of variants(flags)) {
      const subject = await variant.start(cp);
      try {
        const deadline = now() + 10 * 60_000;
        const expected = N * KSM_SERIES_PER_OBJECT;
        for (;;) {
          const text = await fetch(subject.metricsUrl).then((r) => r.text(), () => '');
          if (countKsmSeries(text) >= expected) break;
          if (subject.exited() || now() > deadline) throw new Error(`${variant.label}: not all ${expected} series served: ${subject.output().slice(-1000)}`);
          await sleep(500);
        }
        await sleep(10_000); // start-up garbage collected before the window
        const before = threadCpuSeconds(subject.pid);
        const outputBefore = subject.output().length;
        const started = now();
        const total = Math.round(RATE * DURATION);
        await openLoop(RATE, total, 8, (j) => steadyStatusWrite(api, j + offset, N, NAMESPACES));
        offset += total;
        const window = (now() - started) / 1000;
        const after = threadCpuSeconds(subject.pid);
        let main = 0;
        let others = 0;
        for (const [thread, seconds] of after) {
          const spent = seconds - (before.get(thread) ?? 0);
          if (variant.node && (thread.startsWith('MainThread') || thread.startsWith('node'))) main += spent;
          else others += spent;
        }
        const perUpdate = (seconds: number): string => `${((seconds * 1000) / total).toFixed(2)}`;
        // Go's runtime spreads one process's work over threads it picks: only the total means something there.
        const split = variant.node ? [perUpdate(main), perUpdate(others)] : ['–', '–'];
        const fullGcs = variant.node ? String(subject.output().slice(outputBefore).split('\n').filter((l) => l.includes('Mark-Compact')).length) : '–';
        process.stdout.write(`| ${variant.label} | ${perUpdate(main + others)} (${((main + others) / window).toFixed(4)} cores) | ${split.join(' | ')} | ${fullGcs} |\n`);
        rows.push({
          process: variant.label, msPerUpdate: ((main + others) * 1000) / total, cores: (main + others) / window,
          ...(variant.node ? { mainMsPerUpdate: (main * 1000) / total, otherMsPerUpdate: (others * 1000) / total, fullGcs: Number(fullGcs) } : {}),
        });
      } finally {
        await subject.stop();
      }
    }
  } finally {
    await api.close();
    await cp.stop();
  }
  if (flags.json) {
    const results = { command: commandLine('watch-cpu', argv), date: new Date().toISOString().slice(0, 10), objects: N, rate: RATE, seconds: DURATION, rows };
    writeFileSync(flags.json, `${JSON.stringify(results, null, 2)}\n`);
  }
  return 0;
}

export const scenario: Scenario = { name: 'watch-cpu', help: HELP, run: main };
