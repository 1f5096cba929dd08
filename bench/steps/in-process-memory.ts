// Step 4 (in-process half): bytes the runtime retains per object. startRuntime from src/ runs
// inside the bench process; heapUsed after full collections is taken before start and after
// sync. An identical runtime watching an empty namespace first gives the fixed cost (OTel SDK,
// HTTP server, reflector), which the per-object figure is also shown without.
import { pino } from 'pino';
import { loadConfigFile, type Config } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { settledHeapUsed } from '../lib/gc.ts';
import { now, sleep } from '../lib/stats.ts';

export interface InProcessResult {
  readonly objects: number;
  /** Heap of a synced runtime with no objects, minus the heap before it started. */
  readonly fixedBytes: number;
  /** Heap of the synced runtime holding every object, minus the heap before it started. */
  readonly retainedBytes: number;
  readonly bytesPerObject: number;
  readonly bytesPerObjectNetOfFixed: number;
  /** startRuntime → /readyz 200 and every object in the store, with no process boot. */
  readonly readySeconds: number;
}

async function waitSynced(runtime: Runtime, objects: number, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${runtime.port}/readyz`).catch(() => undefined);
    if (res) await res.text();
    const held = runtime.stores.reduce((sum, store) => sum + store.entries.size, 0);
    if (res?.status === 200 && held >= objects) return;
    if (now() > deadline) throw new Error(`in-process runtime not synced after ${timeoutMs} ms (${held}/${objects} objects)`);
    await sleep(20);
  }
}

function withNamespace(config: Config, namespace: string): Config {
  return { ...config, resources: config.resources.map((r) => ({ ...r, namespaces: [namespace] })) };
}

export async function measureInProcess(options: { config: string; kubeconfig: string; objects: number; timeoutMs: number }): Promise<InProcessResult> {
  const config = loadConfigFile(options.config);
  const apiServer = loadKubeConfig({ kubeconfig: options.kubeconfig });
  const logger = pino({ level: 'silent' });
  // As the CLI starts it (src/cli.ts run), minus OTLP: no exporter endpoints in this env.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const start = (c: Config): Promise<Runtime> => startRuntime({
    resources: compileConfig(c), traces: c.traces, apiServer, logger, host: '127.0.0.1', port: 0, version: 'bench', env,
  });

  const emptyBefore = settledHeapUsed();
  const empty = await start(withNamespace(config, 'bench-empty-namespace'));
  await waitSynced(empty, 0, options.timeoutMs);
  const emptyAfter = settledHeapUsed();
  await empty.stop();

  const before = settledHeapUsed();
  const started = now();
  const runtime = await start(config);
  try {
    await waitSynced(runtime, options.objects, options.timeoutMs);
    const readySeconds = (now() - started) / 1000;
    const after = settledHeapUsed();
    const fixedBytes = emptyAfter - emptyBefore;
    const retainedBytes = after - before;
    return {
      objects: options.objects,
      fixedBytes,
      retainedBytes,
      bytesPerObject: retainedBytes / options.objects,
      bytesPerObjectNetOfFixed: (retainedBytes - fixedBytes) / options.objects,
      readySeconds,
    };
  } finally {
    await runtime.stop();
  }
}
