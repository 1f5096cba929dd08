// Wildcard entries without a cluster (`crotel render`, `crotel validate`): there are no CRDs to
// read, so the kinds are those of the given objects — group, version and kind from each object's
// apiVersion and kind, when the group can be a custom resource group (dotted, not built in) —
// filtered by the same selection and exclusions as at run time, and compiled the same way.
import type { Config, SelectionConfig } from '../config/index.ts';
import { compileResource, createRedactor } from '../extract/index.ts';
import type { CompiledResource } from '../model.ts';
import { entryFor, exclusionsOf } from './kinds.ts';
import { excludedBy, isCustomGroup, selectionFor } from './selection.ts';

interface TypedObject {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
}

/** group/version/kind of an object that could be a custom resource, else undefined. */
function gvkOf(object: TypedObject): { group: string; version: string; kind: string } | undefined {
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return undefined;
  const slash = object.apiVersion.indexOf('/');
  if (slash < 0) return undefined; // core group: never a custom resource
  const group = object.apiVersion.slice(0, slash);
  const version = object.apiVersion.slice(slash + 1);
  if (!isCustomGroup(group) || version === '' || !/^[A-Za-z][A-Za-z0-9]*$/.test(object.kind)) return undefined;
  return { group, version, kind: object.kind };
}

/** One compiled resource per group/version/kind among the objects that the config's wildcard entries select. */
export function selectedFromObjects(config: Config, objects: readonly TypedObject[]): CompiledResource[] {
  const discovery = config.discovery;
  if (!discovery) return [];
  const exclude = exclusionsOf(discovery);
  const configured = new Set(config.resources.map((r) => `${r.group}/${r.kind}`));
  const redactor = createRedactor(config.redact);
  const out = new Map<string, CompiledResource>();
  for (const object of objects) {
    const gvk = gvkOf(object);
    if (!gvk) continue;
    const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
    if (out.has(key) || configured.has(`${gvk.group}/${gvk.kind}`) || excludedBy(exclude, gvk.group, gvk.kind)) continue;
    const selection: SelectionConfig | undefined = selectionFor(discovery.select, gvk.group, gvk.kind, [gvk.version]);
    if (!selection) continue;
    out.set(key, compileResource(entryFor({ ...gvk, selection }), { seriesPerMetric: config.limits.seriesPerMetric, redactor }));
  }
  return [...out.values()];
}
