// Which objects a shard owns: FNV-1a of the uid modulo the shard count, so every replica
// computes the same partition without talking to the others (as kube-state-metrics does).
export interface Shard {
  readonly index: number;
  readonly total: number;
}

export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function ownedBy(shard: Shard): (uid: string) => boolean {
  if (shard.total <= 1) return () => true;
  return (uid) => fnv1a(uid) % shard.total === shard.index;
}
