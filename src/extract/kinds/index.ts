// src/extract/kinds: one module per metric kind. The registry below is the only place that
// lists them: families.ts looks a configured metric's kind up here.
import type { MetricSource } from '../../config/index.ts';
import { conditionsKind } from './conditions.ts';
import { expressionKind } from './expression.ts';
import { gaugeKind } from './gauge.ts';
import { infoKind } from './info.ts';
import type { MetricKind } from './kind.ts';
import { stateSetKind } from './state-set.ts';

export type { EmitterParts, MetricKind } from './kind.ts';

type Registry = { readonly [T in MetricSource['type']]: MetricKind<Extract<MetricSource, { type: T }>> };

export const METRIC_KINDS: Registry = {
  gauge: gaugeKind,
  conditions: conditionsKind,
  stateSet: stateSetKind,
  info: infoKind,
  expression: expressionKind,
};

/** The kind module of a source (typed by its `type`). */
export function kindOf<S extends MetricSource>(source: S): MetricKind<S> {
  return METRIC_KINDS[source.type] as unknown as MetricKind<S>;
}
