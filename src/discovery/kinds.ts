// Zero config at run time: the cluster's CustomResourceDefinitions, watched by a Reflector like
// any other collection, become the set of kinds to watch; every change to it is applied to the
// runtime — a kind added, a kind removed (CRD deleted or no longer served), a kind moved to
// another version. Each kind is a plain {group, version, kind} config entry compiled by the
// normal compiler, so it gets exactly what a hand-written entry without metrics gets.
import type { Logger } from 'pino';
import type { DiscoveryConfig, ResourceConfig, SelectionConfig } from '../config/index.ts';
import type { ReflectorObserver, ReflectorSink, Watcher, WatcherFactory } from '../kube/reflector.ts';
import type { CompiledResource, ResourceRef } from '../model.ts';
import { kindKey, readCrd, wantedKinds, type CrdKind, type WantedKind } from './crds.ts';
import { DEFAULT_EXCLUSIONS, type KindPattern } from './selection.ts';

export const CRD_REF: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' };

/** What the runtime offers kind discovery. */
export interface KindsHost {
  /** Starts watching; `gatesReadiness` for the kinds known at start. */
  add(resource: CompiledResource, options: { readonly gatesReadiness: boolean }): void;
  /** Watches the kind at another version, keeping what is held (unchanged objects make no transitions). */
  replace(previousId: string, resource: CompiledResource): Promise<void>;
  /** Stops watching and drops the kind's objects from every exporter. */
  remove(id: string): Promise<void>;
}

/** The effective exclusion list of a discovery config. */
export function exclusionsOf(discovery: DiscoveryConfig): KindPattern[] {
  return [...(discovery.defaultExclusions ? DEFAULT_EXCLUSIONS : []), ...discovery.exclude];
}

/** The plain config entry a discovered kind is compiled from: generic families only. */
export function entryFor(wanted: WantedKind<SelectionConfig>): ResourceConfig {
  const s = wanted.selection;
  return {
    group: wanted.group, version: wanted.version, kind: wanted.kind,
    namespaces: s.namespaces,
    ...(s.labelSelector !== undefined ? { labelSelector: s.labelSelector } : {}),
    generic: true, labels: [], health: s.health, metrics: [],
  };
}

/**
 * The CRD collection as a reflector sink: keeps what discovery needs of each CRD and, after the
 * first complete list and after every change, reports the kinds wanted now.
 */
export class CrdCatalog implements ReflectorSink {
  private crds = new Map<string, CrdKind>();
  private listing?: Map<string, CrdKind>;
  private listed = false;
  private readonly changed: (crds: Iterable<CrdKind>, first: boolean) => void;

  constructor(changed: (crds: Iterable<CrdKind>, first: boolean) => void) {
    this.changed = changed;
  }

  beginList(): void {
    this.listing = new Map();
  }

  listPage(items: readonly unknown[]): void {
    for (const item of items) {
      const crd = readCrd(item);
      if (crd) this.listing?.set(crd.name, crd);
    }
  }

  endList(): void {
    if (!this.listing) return;
    this.crds = this.listing;
    this.listing = undefined;
    const first = !this.listed;
    this.listed = true;
    this.changed(this.crds.values(), first);
  }

  upsert(object: unknown): void {
    const crd = readCrd(object);
    if (!crd) return;
    this.crds.set(crd.name, crd);
    if (this.listed) this.changed(this.crds.values(), false);
  }

  remove(object: unknown): void {
    const crd = readCrd(object);
    if (!crd || !this.crds.delete(crd.name)) return;
    if (this.listed) this.changed(this.crds.values(), false);
  }
}

export interface KindReconcilerOptions {
  readonly discovery: DiscoveryConfig;
  /** group/kind of the config's concrete entries: those are never discovered a second time. */
  readonly configured: ReadonlySet<string>;
  readonly compile: (entry: ResourceConfig) => CompiledResource;
  readonly host: KindsHost;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** Applies each new wanted set to the host, one change at a time, in order. */
export class KindReconciler {
  private readonly options: KindReconcilerOptions;
  private readonly exclude: readonly KindPattern[];
  /** group/kind → the watched resource. */
  private readonly active = new Map<string, CompiledResource>();
  private queue: Promise<void> = Promise.resolve();
  /** The kinds known at start have been handed to the host. */
  startKindsAdded = false;

  constructor(options: KindReconcilerOptions) {
    this.options = options;
    this.exclude = exclusionsOf(options.discovery);
  }

  /** Kinds watched now (group/kind → version). */
  watching(): Map<string, string> {
    return new Map([...this.active].map(([key, r]) => [key, r.ref.version]));
  }

  /** Resolves once every change handed in so far has been applied. */
  settled(): Promise<void> {
    return this.queue;
  }

  apply(crds: Iterable<CrdKind>, first: boolean): void {
    const wanted = wantedKinds(crds, { selections: this.options.discovery.select, exclude: this.exclude, configured: this.options.configured });
    const { host, logger, compile } = this.options;
    for (const [key, resource] of [...this.active]) {
      const want = wanted.get(key);
      if (want && want.version === resource.ref.version) continue;
      if (!want) {
        this.active.delete(key);
        logger.info({ resource: resource.id }, 'kind no longer served (CRD deleted, version unserved, or excluded): stopped watching it');
        this.enqueue(() => host.remove(resource.id));
        continue;
      }
      const next = compile(entryFor(want));
      this.active.set(key, next);
      logger.info({ resource: next.id, from: resource.ref.version, to: want.version }, 'kind moved to another preferred version: watching it there');
      this.enqueue(() => host.replace(resource.id, next));
    }
    for (const [key, want] of wanted) {
      if (this.active.has(key)) continue;
      const resource = compile(entryFor(want));
      this.active.set(key, resource);
      if (!first) logger.info({ resource: resource.id }, 'new kind discovered: watching it');
      this.enqueue(async () => host.add(resource, { gatesReadiness: first }));
    }
    if (first) {
      logger.info({ kinds: wanted.size }, 'kinds discovered from CustomResourceDefinitions');
      this.enqueue(async () => {
        this.startKindsAdded = true;
      });
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'applying a kind change failed');
    });
  }
}

export interface DiscoveredKindsOptions extends KindReconcilerOptions {
  /** Builds the CRD watch (apiserverWatchers in crotel). */
  readonly watchers: WatcherFactory;
  readonly observer: ReflectorObserver;
  readonly coalesceMs?: number;
}

/** The CRD watch and its reconciler, as one unit the runtime starts and stops. */
export class DiscoveredKinds {
  readonly reflector: Watcher;
  readonly reconciler: KindReconciler;

  constructor(options: DiscoveredKindsOptions) {
    this.reconciler = new KindReconciler(options);
    const catalog = new CrdCatalog((crds, first) => this.reconciler.apply(crds, first));
    this.reflector = options.watchers({
      ref: CRD_REF, sink: catalog, observer: options.observer,
      ...(options.coalesceMs !== undefined ? { coalesceMs: options.coalesceMs } : {}),
    });
  }

  /** Readiness: the kinds known at start are only known once the CRDs have been listed. */
  pending(): string[] {
    const r = this.reflector;
    if (!r.synced) return [`${r.description} (${r.state}${r.lastError ? `: ${r.lastError}` : ''})`];
    return this.reconciler.startKindsAdded ? [] : ['discovered kinds (being added)'];
  }

  start(): void {
    this.reflector.start();
  }

  async stop(): Promise<void> {
    await this.reflector.stop();
    await this.reconciler.settled();
  }
}

export { kindKey };
