// The cache behind one reflector: uid → Entry (the object's Snapshot and whatever views the
// exporters derive from it once per change). Raw objects are dropped right after extraction.
import type { CompiledResource, Snapshot } from '../model.ts';
import type { ReflectorSink } from '../kube/reflector.ts';
import type { SeriesBudget } from './budget.ts';

export interface Entry {
  readonly snapshot: Snapshot;
  /** Per family index of the resource: the object's pre-rendered exposition lines ('' for none). */
  readonly exposition: readonly string[];
}

export interface StoreHooks {
  /** Renders a snapshot's samples once per change (the scrape path only joins these). */
  render(resource: CompiledResource, snapshot: Snapshot): readonly string[];
  /** Called after every change; previous/next undefined for add/delete. */
  changed?(resource: CompiledResource, previous: Snapshot | undefined, next: Snapshot | undefined): void;
  invalidObject?(resource: CompiledResource, reason: string): void;
  /** Sharding: objects this process owns (default: all). */
  owns?(uid: string): boolean;
  extractionErrors?(resource: CompiledResource, snapshot: Snapshot): void;
}

function uidOf(object: unknown): string | undefined {
  const uid = (object as { metadata?: { uid?: unknown } } | null)?.metadata?.uid;
  return typeof uid === 'string' ? uid : undefined;
}

export class ResourceStore implements ReflectorSink {
  readonly resource: CompiledResource;
  readonly entries = new Map<string, Entry>();
  private readonly hooks: StoreHooks;
  private readonly budget: SeriesBudget;
  private seen?: Set<string>;

  constructor(resource: CompiledResource, budget: SeriesBudget, hooks: StoreHooks) {
    this.resource = resource;
    this.budget = budget;
    this.hooks = hooks;
  }

  beginList(): void {
    this.seen = new Set();
  }

  listPage(items: readonly unknown[]): void {
    for (const item of items) {
      const uid = this.upsert(item);
      if (uid) this.seen?.add(uid);
    }
  }

  endList(): void {
    const seen = this.seen;
    this.seen = undefined;
    if (!seen) return;
    for (const uid of [...this.entries.keys()]) {
      if (!seen.has(uid)) this.delete(uid);
    }
  }

  /** Returns the object's uid when it was accepted. */
  upsert(object: unknown): string | undefined {
    if (this.hooks.owns) {
      const uid = uidOf(object);
      if (uid && !this.hooks.owns(uid)) return undefined; // another shard's
    }
    const extracted = this.resource.extract(object);
    if ('invalid' in extracted) {
      // Keep the last good state of a known object rather than losing it to one bad update.
      this.hooks.invalidObject?.(this.resource, extracted.invalid);
      return uidOf(object);
    }
    const previous = this.entries.get(extracted.uid);
    // A relist hands back objects we already hold: same resourceVersion, nothing changed.
    if (previous && previous.snapshot.resourceVersion === extracted.resourceVersion) return extracted.uid;
    if (extracted.errors.length > 0) this.hooks.extractionErrors?.(this.resource, extracted);
    const samples = this.budget.admit(this.resource.families, previous?.snapshot.samples, extracted.samples);
    const snapshot: Snapshot = samples === extracted.samples ? extracted : { ...extracted, samples };
    this.entries.set(snapshot.uid, { snapshot, exposition: this.hooks.render(this.resource, snapshot) });
    this.hooks.changed?.(this.resource, previous?.snapshot, snapshot);
    return snapshot.uid;
  }

  remove(object: unknown): void {
    const uid = uidOf(object);
    if (uid) this.delete(uid);
  }

  private delete(uid: string): void {
    const previous = this.entries.get(uid);
    if (!previous) return;
    this.entries.delete(uid);
    this.budget.release(this.resource.families, previous.snapshot.samples);
    this.hooks.changed?.(this.resource, previous.snapshot, undefined);
  }
}
