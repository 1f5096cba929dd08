// Per-family cardinality limits, applied to samples before any exporter sees them, so the
// Prometheus endpoint and OTLP always carry the same series. Excess is dropped and counted.
import type { MetricFamily, Sample } from '../model.ts';

export class SeriesBudget {
  private readonly used = new Map<string, number>();
  private readonly onDrop: (family: MetricFamily, count: number) => void;
  constructor(onDrop: (family: MetricFamily, count: number) => void) {
    this.onDrop = onDrop;
  }

  /** Series a family holds now, across all objects. */
  usage(familyName: string): number {
    return this.used.get(familyName) ?? 0;
  }

  /**
   * Replaces an object's previous samples with its next ones, keeping each family within its
   * limit. Returns the admitted samples (the same array when nothing was dropped).
   */
  admit(families: readonly MetricFamily[], previous: readonly Sample[] | undefined, next: readonly Sample[]): readonly Sample[] {
    if (previous) this.release(families, previous);
    let admitted: Sample[] | undefined;
    const dropped = new Map<number, number>();
    for (let i = 0; i < next.length; i++) {
      const sample = next[i]!;
      const family = families[sample.family]!;
      const used = this.used.get(family.name) ?? 0;
      if (used >= family.cardinalityLimit) {
        admitted ??= next.slice(0, i);
        dropped.set(sample.family, (dropped.get(sample.family) ?? 0) + 1);
        continue;
      }
      this.used.set(family.name, used + 1);
      admitted?.push(sample);
    }
    for (const [index, count] of dropped) this.onDrop(families[index]!, count);
    return admitted ?? next;
  }

  release(families: readonly MetricFamily[], samples: readonly Sample[]): void {
    for (const sample of samples) {
      const name = families[sample.family]!.name;
      this.used.set(name, (this.used.get(name) ?? 1) - 1);
    }
  }
}

export type ObjectDropReason = 'kind_limit' | 'total_limit';

/**
 * Object limits (kube-state-metrics' --object-limit, per kind and in total): what a process
 * holds is bounded whatever the cluster holds. Counts are kept by the caller (CappedSink),
 * which asks before admitting a new object and reports what actually changed.
 */
export class ObjectBudget {
  private readonly perKind: number;
  private readonly total: number;
  private readonly used = new Map<string, number>();
  private held = 0;

  constructor(limits: { readonly perKind?: number; readonly total?: number }) {
    this.perKind = limits.perKind ?? Infinity;
    this.total = limits.total ?? Infinity;
  }

  /** Why one more object of the kind may not be held, or undefined when it may. */
  refusal(kind: string): ObjectDropReason | undefined {
    if ((this.used.get(kind) ?? 0) >= this.perKind) return 'kind_limit';
    if (this.held >= this.total) return 'total_limit';
    return undefined;
  }

  adjust(kind: string, delta: number): void {
    if (delta === 0) return;
    const next = (this.used.get(kind) ?? 0) + delta;
    if (next <= 0) this.used.delete(kind);
    else this.used.set(kind, next);
    this.held += delta;
  }

  usage(kind?: string): number {
    return kind === undefined ? this.held : this.used.get(kind) ?? 0;
  }
}
