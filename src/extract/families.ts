// One configured metric → its family definition and the emitter that reads it from an object.
// Everything that depends only on config (label keys, match sets, descriptions) is done here,
// once; the returned emitters only walk paths and push samples. What differs per metric kind
// lives in that kind's module (kinds/).

import type { MetricFamily } from '../model.ts';
import { prometheusMetricName, type MetricConfig } from '../config/index.ts';
import type { Emitter, ExtractContext } from './context.ts';
import { kindOf } from './kinds/index.ts';
import { readLabels } from './read-labels.ts';
import type { Redactor } from './redact.ts';

export { readLabels } from './read-labels.ts';

export interface CompiledMetric {
  readonly family: MetricFamily;
  readonly emit: Emitter;
}

/** Whether labels from these paths tell objects apart: the uid, or the name and the namespace. */
function identifiesObject(paths: readonly string[]): boolean {
  return paths.includes('metadata.uid') || (paths.includes('metadata.name') && paths.includes('metadata.namespace'));
}

export function compileMetric(
  m: MetricConfig,
  index: number,
  resourceKind: string,
  commonKeys: readonly string[],
  commonPaths: readonly string[],
  defaultLimit: number,
  redactor: Redactor,
): CompiledMetric {
  const s = m.source;
  const kind = kindOf(s);
  const kindKeys = kind.labelKeys(s);
  const family: MetricFamily = {
    name: m.name,
    prometheusName: prometheusMetricName(m.name, m.unit),
    description: m.description ?? kind.description(s, resourceKind),
    unit: m.unit,
    // Configured metrics are point-in-time readings, as in the original monitor and kube-state-metrics.
    instrument: 'gauge',
    attributeKeys: [...commonKeys, ...m.labels.map((l) => l.name), ...kindKeys],
    cardinalityLimit: m.cardinalityLimit ?? defaultLimit,
    ...(identifiesObject([...commonPaths, ...m.labels.map((l) => l.path.text)]) ? {} : { seriesMayRepeat: true }),
  };
  const extra = m.labels;
  // Builds the attribute values of one sample: common, then metric labels, then kind-specific.
  const ownLabels = (ctx: ExtractContext): string[] | undefined => (extra.length === 0 ? [] : readLabels(ctx, extra, redactor));
  const attrs = (ctx: ExtractContext, common: readonly string[], tail: readonly string[]): string[] | undefined => {
    const own = ownLabels(ctx);
    // concat allocates exactly; spreading grows the backing store with slack that every kept Sample would carry.
    if (own === undefined) return undefined;
    // Samples with only the common labels share one array: it is never mutated.
    return own.length === 0 && tail.length === 0 ? (common as string[]) : common.concat(own, tail);
  };
  const emit = kind.emitter(s, { index, labels: extra, redactor, attributes: attrs, ownLabels });
  return { family, emit };
}
