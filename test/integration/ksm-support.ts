// The kube-state-metrics conformance test's support (the process runner and the parser are in
// harness/, shared with the benchmarks): load fixture objects the way a
// controller would (spec, then status through the status subresource), and compare two
// expositions series by series.
import { basename } from 'node:path';
import type { ControlPlane } from '../../harness/control-plane.ts';
import { ensureNamespace, readYamlDocuments } from '../../harness/kube.ts';
import type { SeriesValues } from '../../harness/prom-text.ts';

export { startKsm, type KsmProcess } from '../../harness/ksm.ts';

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

export { parseSeries, type SeriesValues } from '../../harness/prom-text.ts';
export { isCrotelSelfMetric } from '../../harness/prom-text.ts';

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
