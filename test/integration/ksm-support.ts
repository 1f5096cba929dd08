// Shared by the kube-state-metrics conformance test and the side-by-side benchmark: run the
// real kube-state-metrics v2.20 (built from Go modules), load fixture objects the way a
// controller would (spec, then status through the status subresource), and compare two
// expositions series by series.
import { basename } from 'node:path';
import { binaryPath } from '../harness/binaries.ts';
import type { ControlPlane } from '../harness/control-plane.ts';
import { ensureNamespace, readYamlDocuments } from '../harness/kube.ts';
import { freePort, makeTempDir, removeTempDir, startProcess, waitFor } from '../harness/processes.ts';

export interface KsmProcess {
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

export async function startKsm(cp: ControlPlane, configFile: string, extraArgs: string[] = []): Promise<KsmProcess> {
  const dir = makeTempDir('crotel-ksm-');
  const [port, telemetryPort] = [await freePort(), await freePort()];
  const proc = startProcess('kube-state-metrics', binaryPath('kube-state-metrics'), [
    '--custom-resource-state-only=true',
    `--custom-resource-state-config-file=${configFile}`,
    `--kubeconfig=${cp.kubeconfigPath}`,
    '--host=127.0.0.1', `--port=${port}`,
    '--telemetry-host=127.0.0.1', `--telemetry-port=${telemetryPort}`,
    ...extraArgs,
  ], dir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('kube-state-metrics /metrics', async () => {
    if (proc.child.exitCode !== null) throw new Error(`kube-state-metrics exited ${proc.child.exitCode}, see ${proc.logFile}`);
    return (await fetch(`${url}/metrics`).catch(() => undefined))?.ok === true;
  }, 30_000);
  return {
    url,
    pid: proc.child.pid ?? -1,
    logFile: proc.logFile,
    scrape: async () => {
      const res = await fetch(`${url}/metrics`);
      if (!res.ok) throw new Error(`kube-state-metrics /metrics answered ${res.status}`);
      return res.text();
    },
    async stop() {
      await proc.stop(5000);
      removeTempDir(dir);
    },
  };
}

const DROP_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences'];

/** Plural of a kind from the CRDs we applied (group/kind → plural). */
export type Plurals = Map<string, string>;

export function pluralsOf(crdFiles: readonly string[]): Plurals {
  const out: Plurals = new Map();
  for (const file of crdFiles) {
    for (const crd of readYamlDocuments(file)) {
      const spec = crd.spec as { group: string; names: { kind: string; plural: string } } | undefined;
      if (crd.kind === 'CustomResourceDefinition' && spec) out.set(`${spec.group}/${spec.names.kind}`, spec.names.plural);
    }
  }
  return out;
}

/**
 * Creates every object in the files (a name already taken gets a numeric suffix), then writes
 * its status through the status subresource when the CRD has one. Returns `ns/name` created.
 */
export async function createObjects(cp: ControlPlane, plurals: Plurals, files: readonly string[]): Promise<string[]> {
  const created: string[] = [];
  for (const file of files) {
    for (const doc of readYamlDocuments(file)) {
      const object = structuredClone(doc) as { apiVersion: string; kind: string; metadata: Record<string, unknown>; status?: unknown };
      if (object.kind === 'CustomResourceDefinition' || object.kind === 'Namespace') continue;
      const [group, version] = object.apiVersion.split('/') as [string, string];
      const plural = plurals.get(`${group}/${object.kind}`);
      if (!plural) throw new Error(`${basename(file)}: no CRD for ${object.apiVersion} ${object.kind}`);
      for (const key of DROP_METADATA) delete object.metadata[key];
      const namespace = (object.metadata.namespace as string | undefined) ?? 'default';
      object.metadata.namespace = namespace;
      await ensureNamespace(cp, namespace);
      const base = object.metadata.name as string;
      const collection = `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
      let res = await cp.raw('POST', collection, object);
      for (let n = 2; res.status === 409 && n < 20; n++) {
        object.metadata.name = `${base}-${n}`;
        res = await cp.raw('POST', collection, object);
      }
      if (res.status !== 201) throw new Error(`${basename(file)}: creating ${namespace}/${base}: ${res.status} ${res.body}`);
      const name = object.metadata.name as string;
      if (object.status !== undefined) {
        const patched = await cp.raw('PATCH', `${collection}/${name}/status`, { status: object.status });
        // 404: no status subresource, so the create already stored the status.
        if (patched.status !== 200 && patched.status !== 404) throw new Error(`${basename(file)}: status of ${namespace}/${name}: ${patched.status} ${patched.body}`);
      }
      created.push(`${namespace}/${name}`);
    }
  }
  return created;
}

/** Series → every value seen for it (more than one when an exposition repeats a series). */
export type SeriesValues = Map<string, number[]>;

function unescape(value: string): string {
  return value.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * Lenient Prometheus text parser: keeps duplicates, sorts labels, skips names `skip` rejects;
 * `mapValue` rewrites label values (e.g. crotel's redaction applied to KSM's output).
 */
export function parseSeries(text: string, skip: (name: string) => boolean = () => false, mapValue: (v: string) => string = (v) => v): SeriesValues {
  const out: SeriesValues = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    if (skip(m[1]!)) continue;
    const labels: [string, string][] = [];
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels.push([l[1]!, mapValue(unescape(l[2]!))]);
    labels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = `${m[1]}{${labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

export { isCrotelSelfMetric } from '../harness/prom-text.ts';

export interface Comparison {
  readonly equal: boolean;
  readonly onlyKsm: string[];
  readonly onlyCrotel: string[];
  readonly differentValue: string[];
  /** Series kube-state-metrics emits more than once (crotel emits each series once). */
  readonly ksmDuplicates: string[];
  readonly crotelDuplicates: string[];
}

const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Equal when both serve the same series set, each crotel value being one KSM served for it. */
export function compareSeries(ksm: SeriesValues, crotel: SeriesValues): Comparison {
  const onlyKsm = [...ksm.keys()].filter((k) => !crotel.has(k)).sort();
  const onlyCrotel = [...crotel.keys()].filter((k) => !ksm.has(k)).sort();
  const differentValue = [...crotel].filter(([k, [v]]) => ksm.has(k) && !ksm.get(k)!.some((x) => same(x, v!)))
    .map(([k, vs]) => `${k} crotel=${vs.join('/')} ksm=${ksm.get(k)!.join('/')}`).sort();
  return {
    equal: onlyKsm.length === 0 && onlyCrotel.length === 0 && differentValue.length === 0,
    onlyKsm, onlyCrotel, differentValue,
    ksmDuplicates: [...ksm].filter(([, vs]) => vs.length > 1).map(([k, vs]) => `${k} ×${vs.length}`),
    crotelDuplicates: [...crotel].filter(([, vs]) => vs.length > 1).map(([k, vs]) => `${k} ×${vs.length}`),
  };
}
