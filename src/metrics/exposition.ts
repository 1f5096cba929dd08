// Renders the samples of every store into one exposition, grouped by family as the text format
// requires (several resources may share a family, e.g. the generic ones), in 64 KiB chunks.
import { PassThrough, type Writable } from 'node:stream';
import type { MetricFamily } from '../model.ts';
import type { ResourceStore } from '../state/store.ts';
import { familyHeader, familyTemplate, renderLine, type ExpositionFormat } from './prometheus-text.ts';

interface FamilySources {
  readonly family: MetricFamily;
  readonly sources: { store: ResourceStore; index: number }[];
}

function groupFamilies(stores: readonly ResourceStore[]): FamilySources[] {
  const byName = new Map<string, FamilySources>();
  for (const store of stores) {
    store.resource.families.forEach((family, index) => {
      let group = byName.get(family.prometheusName);
      if (!group) byName.set(family.prometheusName, (group = { family, sources: [] }));
      group.sources.push({ store, index });
    });
  }
  return [...byName.values()];
}

/**
 * Whether two compiled resources of one group/kind feed this family (e.g. a kube-state-metrics
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

const CHUNK = 64 * 1024;

/**
 * Streams the object series of all stores to `out` in `format`, then `trailer` (self-metrics,
 * same format; for OpenMetrics it ends with `# EOF`). Families with
 * no series are left out, as Prometheus client libraries do for label-only families.
 */
export async function writeExposition(stores: readonly ResourceStore[], out: Writable, trailer: string, format: ExpositionFormat = 'text'): Promise<void> {
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const ok = out.write(buffer);
    buffer = '';
    if (!ok) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  for (const { family, sources } of groupFamilies(stores)) {
    let headerWritten = false;
    // Families whose labels do not identify the object may repeat a series: serve it once.
    const seen = sources.some(({ store, index }) => store.resource.families[index]!.seriesMayRepeat) || sameObjectsTwice(sources) || sources.some(({ store }) => store.identityAltered > 0) ? new Set<string>() : undefined;
    for (const { store, index } of sources) {
      const template = familyTemplate(store.resource.families[index]!);
      for (const snapshot of store.entries.values()) {
        for (const sample of snapshot.samples) {
          if (sample.family !== index) continue;
          const line = renderLine(template, sample.attributeValues, sample.value);
          if (seen) {
            const series = line.slice(0, line.lastIndexOf(' '));
            if (seen.has(series)) continue;
            seen.add(series);
          }
          if (!headerWritten) {
            buffer += familyHeader(family, format);
            headerWritten = true;
          }
          buffer += line;
        }
        if (buffer.length > CHUNK) await flush();
      }
    }
  }
  buffer += trailer;
  await flush();
}

/** The whole exposition as one string (for `crotel render` and tests). */
export async function renderExposition(stores: readonly ResourceStore[], trailer = ''): Promise<string> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  await writeExposition(stores, sink, trailer);
  sink.end();
  return Buffer.concat(chunks).toString();
}
