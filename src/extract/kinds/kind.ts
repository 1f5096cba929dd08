// What a metric kind is, as the extractor sees it: one module per kind (gauge.ts, conditions.ts,
// state-set.ts, info.ts) says which labels the kind adds, how it describes itself when the config
// gives no description, and how it reads an object into samples. Adding a kind is a new module
// here plus its schema fragment (config/schema.ts) and source type (config/types.ts).
import type { LabelConfig, MetricSource } from '../../config/index.ts';
import type { Emitter, ExtractContext } from '../context.ts';
import type { Redactor } from '../redact.ts';

/** What an emitter needs beyond its own source: compiled once per metric. */
export interface EmitterParts {
  /** The family's index in the resource. */
  readonly index: number;
  /** The metric's own labels (after the resource's common ones). */
  readonly labels: readonly LabelConfig[];
  readonly redactor: Redactor;
  /** Common + own + `tail` label values, or undefined (error recorded) when a label cannot be read. */
  readonly attributes: (ctx: ExtractContext, common: readonly string[], tail: readonly string[]) => string[] | undefined;
  /** The metric's own label values, or undefined (error recorded). */
  readonly ownLabels: (ctx: ExtractContext) => string[] | undefined;
}

export interface MetricKind<S extends MetricSource> {
  readonly type: S['type'];
  /** Label keys the kind appends after the common and the metric's own labels. */
  labelKeys(source: S): string[];
  /** The description when the config gives none. */
  description(source: S, kind: string): string;
  emitter(source: S, parts: EmitterParts): Emitter;
}
