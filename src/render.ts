// `crotel render`: the metrics a set of objects would produce, with no cluster — the loop a
// user iterates on while writing a config. Same compile → extract → store → exposition path
// as `run`, so what it prints is what /metrics would serve.
import type { Config } from './config/index.ts';
import type { FileObject } from './objects-file.ts';
import type { CompiledResource } from './model.ts';
import { renderExposition } from './metrics/exposition.ts';
import { compileConfig } from './extract/index.ts';
import { SeriesBudget } from './state/budget.ts';
import { explainVerdict } from './health/verdicts.ts';
import { ResourceStore } from './state/store.ts';

export interface RenderResult {
  readonly exposition: string;
  /** Human-readable notes about objects that matched nothing or had bad fields. */
  readonly problems: string[];
  /** Per object: `<resource> <namespace>/<name>: <state>: <rule> (<detail>)` (render --explain). */
  readonly explanations: string[];
}

function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/**
 * One object per apiVersion/kind/namespace/name, the last one given (as `kubectl apply` of the
 * files would leave it): two objects of one name would otherwise give the same series twice.
 */
export function uniqueObjects<T extends { readonly file: string; readonly object: FileObject['object'] }>(objects: readonly T[], problems: string[] = []): T[] {
  const byName = new Map<string, T>();
  for (const item of objects) {
    const o = item.object;
    const meta = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as { namespace?: unknown; name?: unknown };
    const key = JSON.stringify([o.apiVersion, o.kind, meta.namespace ?? '', meta.name]);
    if (typeof meta.name === 'string' && byName.has(key)) problems.push(`${item.file}: ${String(o.kind)} ${String(meta.namespace ?? '')}/${meta.name} given twice; the last one is used`);
    byName.delete(key);
    byName.set(key, item);
  }
  return [...byName.values()];
}

/**
 * Objects written by hand, or dumps trimmed for docs and tests (Argo CD's health fixtures, Flux's),
 * often have no metadata.uid — a cluster always sets one. The store keys objects by uid, so render
 * gives such an object a stand-in derived from its identity instead of skipping it: what a user
 * renders is judged, not dropped. `run` never does this; the apiserver's objects have uids.
 */
function withUid(object: FileObject['object']): FileObject['object'] {
  const meta = object.metadata as Record<string, unknown> | undefined;
  if (typeof meta !== 'object' || meta === null) return object;
  const { uid, namespace, name } = meta;
  if (typeof uid === 'string' && uid !== '') return object;
  const standIn = `render:${String(object.apiVersion)}/${String(object.kind)}/${typeof namespace === 'string' ? namespace : ''}/${String(name)}`;
  return { ...object, metadata: { ...meta, uid: standIn } } as FileObject['object'];
}

/** `extra`: resources compiled elsewhere (a kube-state-metrics config), rendered alongside. */
export async function renderObjects(config: Config | undefined, objects: readonly FileObject[], extra: readonly CompiledResource[] = []): Promise<RenderResult> {
  const problems: string[] = [];
  const budget = new SeriesBudget((family, count) => problems.push(`${family.name}: ${count} series over the cardinality limit dropped`));
  const stores = [...(config ? compileConfig(config) : []), ...extra].map((resource) => new ResourceStore(resource, budget, {
    invalidObject: (r, reason) => problems.push(`${r.id}: object skipped: ${reason}`),
    extractionErrors: (r, s) => {
      for (const e of s.errors) problems.push(`${r.id} ${s.namespace}/${s.name}: ${e.path}: ${e.reason}`);
    },
  }));
  let standIns = 0;
  for (const { file, object: given } of uniqueObjects(objects, problems)) {
    const object = withUid(given);
    if (object !== given) standIns++;
    const targets = stores.filter((s) => apiVersionOf(s.resource.ref.group, s.resource.ref.version) === object.apiVersion && s.resource.ref.kind === object.kind);
    if (targets.length === 0) problems.push(`${file}: ${String(object.apiVersion)}/${String(object.kind)}: no resource in the config matches; skipped`);
    const ns = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : '';
    for (const store of targets) {
      if (store.resource.namespaces.length === 0 || store.resource.namespaces.includes(ns)) store.upsert(object);
    }
  }
  if (standIns > 0) problems.push(`${standIns} object(s) without metadata.uid (hand-written or trimmed dumps): each given a stand-in uid from its apiVersion, kind, namespace and name`);
  const explanations: string[] = [];
  for (const store of stores) {
    for (const s of store.entries.values()) {
      const why = s.healthWhy ? explainVerdict({ state: s.health, ...s.healthWhy }) : s.health;
      explanations.push(`${store.resource.id} ${s.namespace === '' ? '' : `${s.namespace}/`}${s.name}: ${why}`);
    }
  }
  return { exposition: await renderExposition(stores), problems, explanations };
}
