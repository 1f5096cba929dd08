// The last check on an object's samples before they are stored, so that whatever the object
// holds, what the exporters render from them is valid: label values are well-formed Unicode
// (a lone surrogate would become U+FFFD on the wire, merging two series), and no family gets the
// same series twice from one object (e.g. two condition types that differ only after the label
// cap). A sample that would break the scrape is dropped and reported as an error carrying its
// reason (counted by crotel_series_rejected_total); the rest of the object is kept.

import type { ExtractionError, MetricFamily, Sample } from '../model.ts';

export type SeriesRejection = 'invalid_label_name' | 'duplicate_label_name' | 'duplicate_series';

/** Errors that dropped a series say why with this field. */
export interface RejectedSeriesError extends ExtractionError {
  readonly rejected: SeriesRejection;
}

export function isRejection(e: ExtractionError): e is RejectedSeriesError {
  return typeof (e as Partial<RejectedSeriesError>).rejected === 'string';
}

export function rejection(metric: string, rejected: SeriesRejection): RejectedSeriesError {
  const why = rejected === 'duplicate_series'
    ? 'two samples of one object with the same labels (equal after redaction or the length cap); the later one is dropped'
    : rejected === 'invalid_label_name'
      ? 'a label name taken from the object is not a valid Prometheus label name after sanitizing; series dropped'
      : 'two label names taken from the object are equal after sanitizing; series dropped';
  return { path: metric, reason: why, rejected };
}

/** A label value as it will be exported: lone surrogates replaced (as UTF-8 encoding would). */
export function wellFormed(value: string): string {
  return value.isWellFormed() ? value : value.toWellFormed();
}

function wellFormedValues(values: readonly string[]): readonly string[] {
  for (let i = 0; i < values.length; i++) {
    if (!values[i]!.isWellFormed()) return values.map(wellFormed);
  }
  return values;
}

/**
 * The object's samples, safe to export: values well-formed, each series at most once per
 * family. Returns the same array when nothing had to change (the common case). Emitters give
 * distinct series by construction (conditions are deduplicated by their exported type, states
 * are unique), and repairing a lone surrogate is what can still merge two: the duplicate check
 * runs when a value was repaired, or always with `check`.
 */
export function guardSamples(families: readonly MetricFamily[], samples: readonly Sample[], errors: ExtractionError[], check = false): readonly Sample[] {
  let repaired: Sample[] | undefined;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    const values = wellFormedValues(sample.attributeValues);
    if (values === sample.attributeValues && repaired === undefined) continue;
    repaired ??= samples.slice(0, i);
    repaired.push(values === sample.attributeValues ? sample : { ...sample, attributeValues: values });
  }
  if (repaired === undefined && !check) return samples;
  return dropRepeats(families, repaired ?? samples, errors);
}

function dropRepeats(families: readonly MetricFamily[], samples: readonly Sample[], errors: ExtractionError[]): readonly Sample[] {
  let out: Sample[] | undefined;
  const seen = new Set<string>();
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    const key = `${sample.family}\u0001${sample.attributeValues.join('\u0000')}`;
    if (seen.has(key)) {
      errors.push(rejection(families[sample.family]!.name, 'duplicate_series'));
      out ??= samples.slice(0, i);
      continue;
    }
    seen.add(key);
    out?.push(sample);
  }
  return out ?? samples;
}
