// What a metric kind is: one module per kind (gauge.ts, conditions.ts, state-set.ts, info.ts,
// expression.ts) holds everything about it — the schema of its block in a metric entry (what
// users write, with defaults and descriptions, and what the kind reads after validation), the
// label names the block adds (checked for duplicates on the raw input), which label keys its
// series carry, how it describes itself when the config gives no description, and how it reads
// an object into samples. Adding a kind is a new module here and its line in index.ts.
import type { z } from 'zod';
import type { Frozen, LabelConfig } from '../../config/index.ts';
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

/** A label name a kind's block adds, as written (not yet validated), and where in the block. */
export interface BlockLabel {
  readonly name: unknown;
  readonly at: readonly PropertyKey[];
}

/** The kind's block after validation: what its other functions read. */
export type KindSource<Schema extends z.ZodType> = Frozen<z.output<Schema>>;

export interface MetricKind<Schema extends z.ZodType> {
  /** The block under the kind's key in a metric entry (`gauge: {…}`). */
  readonly schema: Schema;
  /**
   * The label names the block adds, read from the raw YAML data: duplicates with the common
   * and the metric's labels are reported even when other parts of the file are invalid.
   */
  blockLabels(block: Readonly<Record<string, unknown>>): readonly BlockLabel[];
  /** Label keys the kind appends after the common and the metric's own labels. */
  labelKeys(source: KindSource<Schema>): string[];
  /** The description when the config gives none. */
  description(source: KindSource<Schema>, kind: string): string;
  emitter(source: KindSource<Schema>, parts: EmitterParts): Emitter;
}
