// Which concrete group/version/kinds a kube-state-metrics entry means. A concrete GVK is used
// as is (crotel's reflector waits for its CRD, so one installed later is picked up). A `*` (or
// empty) version or kind is resolved against the cluster's CRDs, served versions only, as
// kube-state-metrics' CRD discoverer does.

import type { CompiledResource, ResourceRef } from '../model.ts';
import { isPlainObject } from '../extract/index.ts';
import { compileKsmResource, type KsmCompileOptions } from './compile.ts';
import { isWildcard, type KsmConfig, type KsmGvk } from './config.ts';

/** What discovery needs of one CRD. */
export interface CrdInfo {
  readonly group: string;
  readonly kind: string;
  readonly servedVersions: readonly string[];
}

/** Reads a CustomResourceDefinition object; undefined when it is not one. */
export function crdInfo(object: unknown): CrdInfo | undefined {
  if (!isPlainObject(object) || !isPlainObject(object.spec)) return undefined;
  const { group, names, versions } = object.spec;
  if (typeof group !== 'string' || !isPlainObject(names) || typeof names.kind !== 'string' || !Array.isArray(versions)) return undefined;
  const servedVersions = versions
    .filter((v): v is Record<string, unknown> => isPlainObject(v) && typeof v.name === 'string' && v.served === true)
    .map((v) => v.name as string);
  return { group, kind: names.kind, servedVersions };
}

export function resolveGvk(gvk: KsmGvk, crds: readonly CrdInfo[]): ResourceRef[] {
  if (!isWildcard(gvk)) return [{ group: gvk.group, version: gvk.version, kind: gvk.kind }];
  const anyVersion = gvk.version === '' || gvk.version === '*';
  const anyKind = gvk.kind === '' || gvk.kind === '*';
  const out: ResourceRef[] = [];
  for (const crd of crds) {
    if (crd.group !== gvk.group || (!anyKind && crd.kind !== gvk.kind)) continue;
    for (const version of crd.servedVersions) {
      if (anyVersion || version === gvk.version) out.push({ group: crd.group, version, kind: crd.kind });
    }
  }
  return out;
}

export interface KsmCompileResult {
  readonly resources: CompiledResource[];
  /** Wildcard entries that resolved to nothing (no matching CRD installed yet). */
  readonly unresolved: readonly string[];
}

/**
 * Compiles every entry. `crds` is needed only for wildcard entries; without it they are
 * reported as unresolved.
 */
export function compileKsmConfig(config: KsmConfig, options: KsmCompileOptions & { readonly crds?: readonly CrdInfo[] } = {}): KsmCompileResult {
  const resources: CompiledResource[] = [];
  const unresolved: string[] = [];
  config.resources.forEach((r, index) => {
    const refs = resolveGvk(r.groupVersionKind, options.crds ?? []);
    if (refs.length === 0) {
      const g = r.groupVersionKind;
      unresolved.push(`${g.group}/${g.version || '*'}/${g.kind || '*'}`);
    }
    // An entry that may match a kind an earlier entry also matches gets `#<entry number>` on its
    // ids, decided from the config alone: the CRD poll (followWildcardKinds) tells new kinds from
    // known ones by id, so an id must not depend on which CRDs were installed at the time.
    const overlaps = config.resources.slice(0, index).some((earlier) => mayOverlap(earlier.groupVersionKind, r.groupVersionKind));
    for (const ref of refs) {
      const resource = compileKsmResource(r, ref, options);
      resources.push(overlaps ? { ...resource, id: `${resource.id}#${index + 1}` } : resource);
    }
  });
  return { resources, unresolved };
}

function mayOverlap(a: KsmGvk, b: KsmGvk): boolean {
  const matches = (x: string, y: string): boolean => x === y || x === '' || x === '*' || y === '' || y === '*';
  return a.group === b.group && matches(a.version, b.version) && matches(a.kind, b.kind);
}

export function needsDiscovery(config: KsmConfig): boolean {
  return config.resources.some((r) => isWildcard(r.groupVersionKind));
}
