// What kind discovery needs of a CustomResourceDefinition, and the kinds a set of them means
// under a selection: group/kind → the version to watch at. Pure; fed by the CRD reflector.
import { excludedBy, preferredVersion, selectionFor, type KindPattern, type KindSelection } from './selection.ts';

export interface CrdKind {
  /** metadata.name, e.g. widgets.example.com */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly servedVersions: readonly string[];
  readonly storageVersion?: string;
  /** The Established condition is True: the REST endpoints serve. */
  readonly established: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a CRD object; undefined when it is not one (or is malformed). */
export function readCrd(object: unknown): CrdKind | undefined {
  if (!isObj(object) || !isObj(object.spec) || !isObj(object.metadata)) return undefined;
  const { group, names, versions, scope } = object.spec;
  const name = object.metadata.name;
  if (typeof name !== 'string' || typeof group !== 'string' || !isObj(names) || typeof names.kind !== 'string' || typeof names.plural !== 'string' || !Array.isArray(versions)) return undefined;
  const entries = versions.filter((v): v is Obj => isObj(v) && typeof v.name === 'string');
  const conditions = isObj(object.status) && Array.isArray(object.status.conditions) ? object.status.conditions : [];
  const storage = entries.find((v) => v.storage === true)?.name as string | undefined;
  return {
    name,
    group,
    kind: names.kind,
    plural: names.plural,
    namespaced: scope !== 'Cluster',
    servedVersions: entries.filter((v) => v.served === true).map((v) => v.name as string),
    ...(storage !== undefined ? { storageVersion: storage } : {}),
    established: conditions.some((c) => isObj(c) && c.type === 'Established' && c.status === 'True'),
  };
}

/** A kind to watch, and why (the selection entry that chose it). */
export interface WantedKind<S extends KindSelection = KindSelection> {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly selection: S;
}

export function kindKey(k: { group: string; kind: string }): string {
  return `${k.group}/${k.kind}`;
}

export interface WantOptions<S extends KindSelection> {
  readonly selections: readonly S[];
  readonly exclude: readonly KindPattern[];
  /** group/kind keys a concrete config entry already watches: never doubled. */
  readonly configured?: ReadonlySet<string>;
}

/** Every kind the selection wants among these CRDs, keyed by group/kind. */
export function wantedKinds<S extends KindSelection>(crds: Iterable<CrdKind>, options: WantOptions<S>): Map<string, WantedKind<S>> {
  const out = new Map<string, WantedKind<S>>();
  for (const crd of crds) {
    if (!crd.established) continue;
    const key = kindKey(crd);
    if (options.configured?.has(key) || out.has(key)) continue;
    if (excludedBy(options.exclude, crd.group, crd.kind)) continue;
    const selection = selectionFor(options.selections, crd.group, crd.kind, crd.servedVersions);
    if (!selection) continue;
    const version = selection.version ?? preferredVersion(crd.servedVersions);
    if (version === undefined) continue; // nothing served
    out.set(key, { group: crd.group, kind: crd.kind, version, selection });
  }
  return out;
}
