// The cache behind one reflector: uid → Snapshot. Raw objects are dropped right after
// extraction; exporters render from the Snapshots (memory is objects × Snapshot size).
import type { CompiledResource, Snapshot } from '../model.ts';
import type { ReflectorSink } from '../kube/reflector.ts';
import type { SeriesBudget } from './budget.ts';

export interface StoreHooks {
  /**
   * Called after every change; previous/next undefined for add/delete. `resourceVersion`: where
   * the apiserver stored the change, when known (for a deletion a relist inferred: the list's, at or before which it happened).
   * `listed`: the change was seen in a list, not a watch event — for a known object, every change
   * since `previous` collapsed into one (a relist after 410 Gone, a reconnect after a blind spell);
   * `viewThrough`, when the store held a view before the list: the version through which it was
   * current, so the change lies after it too.
   */
  changed?(resource: CompiledResource, previous: Snapshot | undefined, next: Snapshot | undefined, resourceVersion?: string, listed?: ListedChange): void;
  invalidObject?(resource: CompiledResource, reason: string): void;
  /** Sharding: objects this process owns (default: all). */
  owns?(uid: string): boolean;
  /** Epoch ms (injectable for tests). */
  clock?(): number;
  extractionErrors?(resource: CompiledResource, snapshot: Snapshot): void;
}

/** A change a list showed (see StoreHooks.changed). */
export interface ListedChange {
  readonly viewThrough?: string;
}

function uidOf(object: unknown): string | undefined {
  const uid = (object as { metadata?: { uid?: unknown } } | null)?.metadata?.uid;
  return typeof uid === 'string' ? uid : undefined;
}

/** As the extractor reads it: '' when absent. */
function resourceVersionOf(object: unknown): string {
  const rv = (object as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : '';
}

export class ResourceStore implements ReflectorSink {
  readonly resource: CompiledResource;
  readonly entries = new Map<string, Snapshot>();
  private readonly hooks: StoreHooks;
  private readonly budget: SeriesBudget;
  private seen?: Set<string>;
  /** While a list runs: what `changed` reports as `listed`. */
  private listing?: ListedChange;
  /** Snapshots held whose identity was altered on export (see Snapshot.identityAltered). */
  identityAltered = 0;

  constructor(resource: CompiledResource, budget: SeriesBudget, hooks: StoreHooks) {
    this.resource = resource;
    this.budget = budget;
    this.hooks = hooks;
  }

  beginList(viewThrough?: string): void {
    this.seen = new Set();
    this.listing = viewThrough ? { viewThrough } : {};
  }

  listPage(items: readonly unknown[]): void {
    for (const item of items) {
      const uid = this.upsert(item);
      if (uid) this.seen?.add(uid);
    }
  }

  /** `resourceVersion`: the list's; an object it no longer shows was deleted after its own last version and at or before this. */
  endList(resourceVersion?: string): void {
    const seen = this.seen;
    const listing = this.listing;
    this.seen = undefined;
    this.listing = undefined;
    if (!seen) return;
    for (const uid of [...this.entries.keys()]) {
      if (!seen.has(uid)) this.delete(uid, resourceVersion, listing);
    }
  }

  /** Returns the object's uid when it was accepted. */
  upsert(object: unknown): string | undefined {
    const uid = uidOf(object);
    if (uid && this.hooks.owns && !this.hooks.owns(uid)) return undefined; // another shard's
    // A relist hands back objects we already hold: same resourceVersion, nothing changed — known
    // before extracting, so a relist of an unchanged collection costs no extraction.
    const held = uid === undefined ? undefined : this.entries.get(uid);
    if (held && held.resourceVersion === resourceVersionOf(object)) return uid;
    const extracted = this.resource.extract(object);
    if ('invalid' in extracted) {
      // Keep the last good state of a known object rather than losing it to one bad update.
      this.hooks.invalidObject?.(this.resource, extracted.invalid);
      return uid;
    }
    const previous = this.entries.get(extracted.uid);
    if (extracted.errors.length > 0) this.hooks.extractionErrors?.(this.resource, extracted);
    const samples = this.budget.admit(this.resource.families, previous?.samples, extracted.samples);
    // Kept on the Snapshot rather than in a map beside it: one field instead of a map entry per object.
    const phaseSince = extracted.phase === undefined ? undefined
      : previous?.phase === extracted.phase ? previous.phaseSince : (this.hooks.clock?.() ?? Date.now());
    const snapshot: Snapshot = { ...extracted, samples, ...(phaseSince !== undefined ? { phaseSince } : {}) };
    if (previous?.identityAltered) this.identityAltered--;
    if (snapshot.identityAltered) this.identityAltered++;
    this.entries.set(snapshot.uid, snapshot);
    this.hooks.changed?.(this.resource, previous, snapshot, snapshot.resourceVersion || undefined, this.listing);
    return snapshot.uid;
  }

  remove(object: unknown): void {
    const uid = uidOf(object);
    // A DELETED event carries the object as of its deletion: its resourceVersion is the deletion's.
    if (uid) this.delete(uid, resourceVersionOf(object) || undefined);
  }

  private delete(uid: string, resourceVersion?: string, listed?: ListedChange): void {
    const previous = this.entries.get(uid);
    if (!previous) return;
    this.entries.delete(uid);
    if (previous.identityAltered) this.identityAltered--;
    this.budget.release(this.resource.families, previous.samples);
    this.hooks.changed?.(this.resource, previous, undefined, resourceVersion, listed);
  }
}
