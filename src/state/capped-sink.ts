// Puts a ResourceStore behind the object limits: a new object (a uid the store does not hold)
// is admitted only while its kind and the process are under their limits; otherwise it is
// dropped before extraction and counted. Objects already held always update and delete.
import type { ReflectorSink } from '../kube/reflector.ts';
import type { ObjectBudget, ObjectDropReason } from './budget.ts';
import type { ResourceStore } from './store.ts';

function uidOf(object: unknown): string | undefined {
  const uid = (object as { metadata?: { uid?: unknown } } | null)?.metadata?.uid;
  return typeof uid === 'string' ? uid : undefined;
}

export class CappedSink implements ReflectorSink {
  private readonly store: ResourceStore;
  private readonly budget: ObjectBudget;
  /** Objects of one kind (group/kind) share a limit across its namespaced stores. */
  private readonly kind: string;
  private readonly owns?: (uid: string) => boolean;
  private readonly dropped: (reason: ObjectDropReason) => void;

  constructor(options: {
    store: ResourceStore; budget: ObjectBudget; kind: string;
    owns?: (uid: string) => boolean; dropped: (reason: ObjectDropReason) => void;
  }) {
    this.store = options.store;
    this.budget = options.budget;
    this.kind = options.kind;
    if (options.owns) this.owns = options.owns;
    this.dropped = options.dropped;
  }

  /** Gives back what the store holds (when it stops being watched). */
  release(): void {
    this.budget.adjust(this.kind, -this.store.entries.size);
  }

  /** Takes on what the store holds already (a store adopted from an earlier version's watch). */
  adopt(): void {
    this.budget.adjust(this.kind, this.store.entries.size);
  }

  private admissible(object: unknown): boolean {
    const uid = uidOf(object);
    // Unreadable objects and other shards' go to the store, which skips (and counts) them.
    if (uid === undefined || (this.owns && !this.owns(uid)) || this.store.entries.has(uid)) return true;
    const refusal = this.budget.refusal(this.kind);
    if (refusal === undefined) return true;
    this.dropped(refusal);
    return false;
  }

  private counted(change: () => void): void {
    const before = this.store.entries.size;
    try {
      change();
    } finally {
      this.budget.adjust(this.kind, this.store.entries.size - before);
    }
  }

  beginList(viewThrough?: string): void {
    this.store.beginList(viewThrough);
  }

  listPage(items: readonly unknown[]): void {
    for (const item of items) {
      if (this.admissible(item)) this.counted(() => this.store.listPage([item]));
    }
  }

  endList(resourceVersion?: string): void {
    this.counted(() => this.store.endList(resourceVersion));
  }

  upsert(object: unknown): void {
    if (this.admissible(object)) this.counted(() => this.store.upsert(object));
  }

  remove(object: unknown): void {
    this.counted(() => this.store.remove(object));
  }
}
