// Renders the samples of every store into one exposition, one block per family as the text format
// requires (several resources may share a family, e.g. the generic ones; series-view.ts groups and
// de-duplicates them, as it does for OTLP), in 64 KiB chunks.
import { PassThrough, type Writable } from 'node:stream';
import type { ResourceStore } from '../state/store.ts';
import { familyHeader, familyTemplate, renderLine, type ExpositionFormat } from './prometheus-text.ts';
import { SeenSeries, seriesView } from './series-view.ts';

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
  for (const { family, sources, mayRepeat } of seriesView(stores).groups) {
    let headerWritten = false;
    const seen = mayRepeat ? new SeenSeries() : undefined;
    for (const { store, index } of sources) {
      const own = store.resource.families[index]!;
      const template = familyTemplate(own);
      for (const snapshot of store.entries.values()) {
        for (const sample of snapshot.samples) {
          if (sample.family !== index) continue;
          if (seen && !seen.first(own, sample)) continue;
          if (!headerWritten) {
            buffer += familyHeader(family, format);
            headerWritten = true;
          }
          buffer += renderLine(template, sample.attributeValues, sample.value);
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
