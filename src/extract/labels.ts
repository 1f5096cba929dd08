// Label (attribute) values: scalars as strings, redacted, capped. Objects and lists are errors
// and the sample that needed them is skipped; a missing value is an empty label, as in Prometheus.

import type { Redactor } from './redact.ts';
import { truncate } from './redact.ts';
import { intern } from './intern.ts';

export const MAX_LABEL_VALUE = 256;

export type LabelResult = string | { readonly error: string };

export function labelValue(raw: unknown, redactor: Redactor): LabelResult {
  switch (typeof raw) {
    case 'string':
      return raw === '' ? '' : intern(truncate(redactor(raw), MAX_LABEL_VALUE));
    case 'number':
    case 'boolean':
      return intern(String(raw));
    case 'undefined':
      return '';
    case 'object':
      if (raw === null) return '';
      return { error: `expected a scalar label value, got ${Array.isArray(raw) ? 'a list' : 'an object'}` };
    default:
      return { error: `expected a scalar label value, got ${typeof raw}` };
  }
}

/** Sanitizes text that came from an object and is exported as a label value. */
export function labelText(text: string, redactor: Redactor): string {
  return intern(truncate(redactor(text), MAX_LABEL_VALUE));
}
