// CPU a crotel process spends per watched update under a steady trickle of status writes, alone
// on the apiserver (no kube-state-metrics beside it), split by thread, with the process's GC
// events in the window. Several crotel binaries can be compared on the same objects, e.g. a
// checkout of an older commit:
//   node bench/watch-cpu.ts [--objects 100000] [--rate 50] [--duration 60] [--bin path/to/bin/crotel.js …]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startControlPlane } from '../test/harness/control-plane.ts';
import { freePort } from '../test/harness/processes.ts';
import { applyCrds } from '../test/harness/kube.ts';
import { ApiClient } from './api.ts';
import { KSM_CONFIG, KSM_SERIES_PER_OBJECT, countKsmSeries, steadyStatusWrite } from './ksm-workload.ts';
import { ensureNamespaces, loadInstances } from './load.ts';
import { numberFlag } from './main.ts';
import { openLoop } from './open-loop.ts';
import { threadCpuSeconds } from './proc.ts';
import { now, secs, sleep } from './stats.ts';

const CRD = new URL('../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const OWN_BIN = new URL('../bin/crotel.js', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '100000' },
    namespaces: { type: 'string', default: '50' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '60' },
    bin: { type: 'string', multiple: true },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write('node bench/watch-cpu.ts [--objects N] [--namespaces N] [--rate R] [--duration S] [--bin crotel.js …]\n');
  process.exit(0);
}
const num = (k: 'objects' | 'namespaces' | 'rate' | 'duration'): number => numberFlag(k, values[k]);
const N = num('objects');
const NAMESPACES = num('namespaces');
const RATE = num('rate');
const DURATION = num('duration');

async function main(): Promise<void> {
  const bins = values.bin?.length ? values.bin : [OWN_BIN];
  process.stdout.write(`crotel CPU per watched update: ${N} DatabaseInstances, ${RATE} status writes/s for ${DURATION} s\n`);
  const cp = await startControlPlane();
  const api = new ApiClient(cp, 32);
  try {
    await applyCrds(cp, CRD);
    await ensureNamespaces(api, NAMESPACES);
    const load = await loadInstances(api, { objects: N, namespaces: NAMESPACES, concurrency: 32 });
    process.stdout.write(`loaded ${N} objects in ${secs(load.seconds)}\n\n| crotel | ms CPU per update | main thread | other threads | full GCs in the window |\n| --- | --- | --- | --- | --- |\n`);
    let offset = 0;
    for (const bin of bins) {
      const port = await freePort();
      const child = spawn(process.execPath, ['--trace-gc', bin, 'run', '--host', '127.0.0.1', '--port', String(port), '--ksm-config', KSM_CONFIG, '--kubeconfig', cp.kubeconfigPath],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CROTEL_LOG_LEVEL: 'warn' } });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      try {
        const deadline = now() + 10 * 60_000;
        const expected = N * KSM_SERIES_PER_OBJECT;
        for (;;) {
          const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
          if (countKsmSeries(text) >= expected) break;
          if (child.exitCode !== null || now() > deadline) throw new Error(`${bin}: not all ${expected} series served: ${output.slice(-1000)}`);
          await sleep(500);
        }
        await sleep(10_000); // start-up garbage collected before the window
        const before = threadCpuSeconds(child.pid!);
        const outputBefore = output.length;
        const started = now();
        const total = Math.round(RATE * DURATION);
        await openLoop(RATE, total, 8, (j) => steadyStatusWrite(api, j + offset, N, NAMESPACES));
        offset += total;
        const window = (now() - started) / 1000;
        const after = threadCpuSeconds(child.pid!);
        let main = 0;
        let others = 0;
        for (const [thread, seconds] of after) {
          const spent = seconds - (before.get(thread) ?? 0);
          if (thread.startsWith('MainThread') || thread.startsWith('node')) main += spent;
          else others += spent;
        }
        const fullGcs = output.slice(outputBefore).split('\n').filter((l) => l.includes('Mark-Compact')).length;
        const perUpdate = (ms: number): string => `${((ms * 1000) / total).toFixed(2)}`;
        process.stdout.write(`| ${bin === OWN_BIN ? 'this checkout' : bin} | ${perUpdate(main + others)} (${((main + others) / window).toFixed(3)} cores) | ${perUpdate(main)} | ${perUpdate(others)} | ${fullGcs} |\n`);
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
  } finally {
    await api.close();
    await cp.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
