// Command line of the DatabaseInstance simulator (see simulator.ts), for the demo and compose:
//   node examples/simulator/main.ts [--kubeconfig FILE] [--master URL] [--crd FILE]
//        [--count 20] [--namespace databases ...] [--speed 1] [--failure-rate 0.05] [--seed N]
// Runs until SIGINT/SIGTERM; logs one JSON line per event on stderr.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { loadKubeConfig as LoadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { KubeClient } from './kube.ts';
import { Simulator } from './simulator.ts';

const USAGE = `Usage: simulator [--kubeconfig FILE] [--master URL] [--crd FILE] [--count N] [--namespace NS ...]
                 [--speed X] [--failure-rate P] [--seed N] [--prefix NAME]`;

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    master: { type: 'string' },
    crd: { type: 'string' },
    count: { type: 'string', default: '20' },
    namespace: { type: 'string', multiple: true },
    speed: { type: 'string', default: '1' },
    'failure-rate': { type: 'string', default: '0.05' },
    seed: { type: 'string' },
    prefix: { type: 'string', default: 'db' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function number(flag: string, text: string, ok: (n: number) => boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n) || !ok(n)) {
    console.error(`--${flag} ${text}: out of range\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const log = (message: string, fields: Record<string, unknown> = {}): void => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);
};

// crotel's kubeconfig loader: the sources in a checkout, the compiled dist/ in the image (which
// has no src/), as bin/crotel.js picks them.
const source = new URL('../../src/kube/kubeconfig.ts', import.meta.url);
const { loadKubeConfig } = (await import(existsSync(source) ? source.href : new URL('../../dist/kube/kubeconfig.js', import.meta.url).href)) as { loadKubeConfig: typeof LoadKubeConfig };
const apiServer = loadKubeConfig({ kubeconfig: values.kubeconfig, master: values.master });
const kube = new KubeClient(apiServer);

/** Applies the CRD (idempotent) and waits until the new resource is served. */
async function applyCrd(path: string): Promise<void> {
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const crd = doc.toJS() as { metadata: { name: string }; spec: { group: string; names: { plural: string }; versions: { name: string }[] } };
    if (!crd) continue;
    const res = await kube.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (res.status !== 201 && res.status !== 409) throw new Error(`CRD ${crd.metadata.name}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    const probe = `/apis/${crd.spec.group}/${crd.spec.versions[0]!.name}/${crd.spec.names.plural}?limit=1`;
    for (let i = 0; ; i++) {
      if ((await kube.request('GET', probe)).status === 200) break;
      if (i > 120) throw new Error(`CRD ${crd.metadata.name} not served after 60 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    log('CRD ready', { crd: crd.metadata.name });
  }
}

/** The apiserver may still be starting (compose): wait for /readyz. */
async function waitForApiserver(): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      if ((await kube.request('GET', '/readyz')).status === 200) return;
    } catch {
      // not up yet
    }
    if (i === 0) log('waiting for the apiserver', { server: apiServer.server });
    if (i > 300) throw new Error('apiserver not ready after 5 minutes');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

await waitForApiserver();
if (values.crd) await applyCrd(values.crd);
const simulator = new Simulator({
  kube,
  count: number('count', values.count, (n) => Number.isInteger(n) && n >= 1),
  namespaces: values.namespace?.length ? values.namespace : ['databases'],
  speed: number('speed', values.speed, (n) => n > 0),
  failureRate: number('failure-rate', values['failure-rate'], (n) => n >= 0 && n <= 1),
  seed: values.seed !== undefined ? number('seed', values.seed, Number.isInteger) : Date.now() % 2 ** 31,
  prefix: values.prefix,
  log,
});
await simulator.start();
log('simulating', { count: values.count, speed: values.speed });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.stop().then(() => {
      log('stopped', { ...simulator.stats });
      process.exit(0);
    });
  });
}
