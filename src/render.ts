// `crotel render`: the metrics a set of objects would produce, with no cluster — the loop a
// user iterates on while writing a config. Same compile → extract → store → exposition path
// as `run`, so what it prints is what /metrics would serve.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Config } from './config/index.ts';
import type { CompiledResource } from './model.ts';
import { renderExposition } from './metrics/exposition.ts';
import { compileConfig } from './extract/index.ts';
import { SeriesBudget } from './state/budget.ts';
import { ResourceStore } from './state/store.ts';

export interface RenderResult {
  readonly exposition: string;
  /** Human-readable notes about objects that matched nothing or had bad fields. */
  readonly problems: string[];
}

function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** `extra`: resources compiled elsewhere (a kube-state-metrics config), rendered alongside. */
export async function renderObjects(config: Config | undefined, files: readonly string[], extra: readonly CompiledResource[] = []): Promise<RenderResult> {
  const problems: string[] = [];
  const budget = new SeriesBudget((family, count) => problems.push(`${family.name}: ${count} series over the cardinality limit dropped`));
  const stores = [...(config ? compileConfig(config) : []), ...extra].map((resource) => new ResourceStore(resource, budget, {
    invalidObject: (r, reason) => problems.push(`${r.id}: object skipped: ${reason}`),
    extractionErrors: (r, s) => {
      for (const e of s.errors) problems.push(`${r.id} ${s.namespace}/${s.name}: ${e.path}: ${e.reason}`);
    },
  }));
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const object = doc.toJS() as { apiVersion?: string; kind?: string; items?: unknown[] } | null;
      if (!object) continue;
      const objects = object.kind?.endsWith('List') && Array.isArray(object.items) ? object.items : [object];
      for (const item of objects) {
        const o = item as { apiVersion?: string; kind?: string };
        const targets = stores.filter((s) => apiVersionOf(s.resource.ref.group, s.resource.ref.version) === o.apiVersion && s.resource.ref.kind === o.kind);
        if (targets.length === 0) problems.push(`${file}: ${o.apiVersion}/${o.kind}: no resource in the config matches; skipped`);
        for (const store of targets) {
          const ns = (item as { metadata?: { namespace?: string } }).metadata?.namespace ?? '';
          if (store.resource.namespaces.length === 0 || store.resource.namespaces.includes(ns)) store.upsert(item);
        }
      }
    }
  }
  return { exposition: await renderExposition(stores), problems };
}
