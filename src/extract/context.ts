// What one extraction run passes to every family's emitter: the object, its facts, the common
// label values, and the arrays samples and errors are appended to.

import type { ExtractionError, Health, Sample } from '../model.ts';
import type { ObjectFacts } from './facts.ts';

export interface ExtractContext {
  readonly object: Readonly<Record<string, unknown>>;
  readonly facts: ObjectFacts;
  readonly health: Health;
  /** Common label values; undefined when one could not be read, so configured samples are skipped. */
  readonly common: readonly string[] | undefined;
  readonly samples: Sample[];
  readonly errors: ExtractionError[];
}

/** Appends the samples of one family (or a group of families) for one object. */
export type Emitter = (ctx: ExtractContext) => void;
