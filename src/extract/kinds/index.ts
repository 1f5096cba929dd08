// src/extract/kinds: one module per metric kind. The registry below is the only place that
// lists them: the config schema takes each kind's block from it (its key in a metric entry is
// the kind's name), the config's duplicate-label check its block labels, and families.ts the
// kind of a configured metric.
import type { EmitterParts, KindSource, MetricKind } from './kind.ts';
import type { Emitter } from '../context.ts';
import { conditionsKind } from './conditions.ts';
import { expressionKind } from './expression.ts';
import { gaugeKind } from './gauge.ts';
import { infoKind } from './info.ts';
import { stateSetKind } from './state-set.ts';

export type { BlockLabel, EmitterParts, KindSource, MetricKind } from './kind.ts';

/** In the order error messages and the JSON Schema list them. */
export const METRIC_KINDS = {
  gauge: gaugeKind,
  conditions: conditionsKind,
  stateSet: stateSetKind,
  info: infoKind,
  expression: expressionKind,
} as const;

export type MetricKindName = keyof typeof METRIC_KINDS;
export const METRIC_KIND_NAMES = Object.keys(METRIC_KINDS) as MetricKindName[];

/** A configured metric's kind block after validation, tagged with the kind's name. */
export type MetricSource = { [K in MetricKindName]: { readonly type: K } & KindSource<(typeof METRIC_KINDS)[K]['schema']> }[MetricKindName];

/** A kind as families.ts calls it: with the source of whichever kind it is. */
interface AnyKind {
  labelKeys(source: MetricSource): string[];
  description(source: MetricSource, kind: string): string;
  emitter(source: MetricSource, parts: EmitterParts): Emitter;
}

/** The kind module of a source (by its `type`). */
export function kindOf(source: MetricSource): AnyKind {
  // Sound: a source tagged K was produced by METRIC_KINDS[K].schema (config/schema.ts).
  return METRIC_KINDS[source.type] as MetricKind<never> as unknown as AnyKind;
}
