// The one view of the object series that both exporters read: /metrics (exposition.ts) and the
// OTLP MetricProducer (object-producer.ts). It groups the families of every store by their
// Prometheus name — the identity a series ends up with on both paths, since Prometheus' OTLP
// receiver maps OTel names to the same Prometheus names — and decides, per group, whether a
// series may come twice and must be served once. Writing this once is what makes "the same
// series on both paths" hold by construction rather than by two loops kept in step.
import type { MetricFamily, Sample } from '../model.ts';
import type { ResourceStore } from '../state/store.ts';

export interface SeriesSource {
  readonly store: ResourceStore;
  /** Index of the family in `store.resource.families`. */
  readonly index: number;
}

export interface SeriesGroup {
  /** The first family with this Prometheus name: its name, help, unit and type speak for the group. */
  readonly family: MetricFamily;
  readonly sources: readonly SeriesSource[];
  /**
   * True when two objects (or two compiled resources of one kind) can produce one series here:
   * a family whose labels do not identify the object, one kind listed twice, or a store whose
   * objects' identity labels were altered (redacted, cut). Such a group is de-duplicated.
   */
  readonly mayRepeat: boolean;
}

export interface SeriesView {
  readonly groups: readonly SeriesGroup[];
  /** The groups of a store's families, by family index (for exporters that walk stores rather than groups). */
  groupsOf(store: ResourceStore): readonly SeriesGroup[];
}

/**
 * Whether two compiled resources of one group/kind feed these sources (e.g. a kube-state-metrics
 * entry listed twice): they see the same objects, so a series could come twice. Stores of one
 * resource (one per namespace) never overlap.
 */
export function sameObjectsTwice(sources: readonly { store: ResourceStore }[]): boolean {
  if (sources.length < 2) return false;
  const byKind = new Map<string, unknown>();
  for (const { store } of sources) {
    const key = `${store.resource.ref.group}/${store.resource.ref.kind}`;
    const known = byKind.get(key);
    if (known !== undefined && known !== store.resource) return true;
    byKind.set(key, store.resource);
  }
  return false;
}

export function seriesView(stores: readonly ResourceStore[]): SeriesView {
  const byName = new Map<string, { family: MetricFamily; sources: SeriesSource[] }>();
  const perStore = new Map<ResourceStore, SeriesGroup[]>();
  const pending: [ResourceStore, number, string][] = [];
  for (const store of stores) {
    store.resource.families.forEach((family, index) => {
      let group = byName.get(family.prometheusName);
      if (!group) byName.set(family.prometheusName, (group = { family, sources: [] }));
      group.sources.push({ store, index });
      pending.push([store, index, family.prometheusName]);
    });
  }
  const groups = new Map<string, SeriesGroup>();
  for (const [name, { family, sources }] of byName) {
    const mayRepeat = sources.some(({ store, index }) => store.resource.families[index]!.seriesMayRepeat === true)
      || sameObjectsTwice(sources)
      || sources.some(({ store }) => store.identityAltered > 0);
    groups.set(name, { family, sources, mayRepeat });
  }
  for (const [store, index, name] of pending) {
    const list = perStore.get(store) ?? perStore.set(store, []).get(store)!;
    list[index] = groups.get(name)!;
  }
  return {
    groups: [...groups.values()],
    groupsOf: (store) => perStore.get(store) ?? [],
  };
}

/**
 * The series of a de-duplicated group already served. The key is the family's label keys and the
 * sample's values, the same on both paths: OTLP attribute keys map one-to-one to Prometheus
 * label names (config validation refuses two keys that would collide).
 */
export class SeenSeries {
  private readonly seen = new Set<string>();
  private readonly keyIds = new WeakMap<MetricFamily, string>();

  /** True the first time this series is offered, false for a repeat. */
  first(family: MetricFamily, sample: Sample): boolean {
    let ids = this.keyIds.get(family);
    if (ids === undefined) this.keyIds.set(family, (ids = family.attributeKeys.join('\u0001')));
    const key = `${ids}\u0000${sample.attributeValues.join('\u0001')}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}
