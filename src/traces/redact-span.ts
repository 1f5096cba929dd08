// The redaction policy applied to every span on its way out: name, attributes, status message,
// and each span event's name and attributes (Kubernetes Event messages and reasons among them).
// Extraction already redacted what came from objects; this pass makes the policy hold for every
// string a span carries, whatever built it, and caps each one (after redaction).
import { exportText, type Redactor } from '../extract/index.ts';
import type { SpanEventRecord, SpanRecord } from './episodes.ts';

/** Longest string value a span carries. */
export const MAX_SPAN_STRING = 4096;

function clean(value: string, redactor: Redactor): string {
  return exportText(value, redactor, MAX_SPAN_STRING).toWellFormed();
}

function cleanAttributes<V extends string | number>(attributes: Readonly<Record<string, V>>, redactor: Redactor): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [key, value] of Object.entries(attributes)) out[key] = (typeof value === 'string' ? clean(value, redactor) : value) as V;
  return out;
}

function cleanEvent(event: SpanEventRecord, redactor: Redactor): SpanEventRecord {
  return { ...event, name: clean(event.name, redactor), attributes: cleanAttributes(event.attributes, redactor) };
}

export function redactSpan(span: SpanRecord, redactor: Redactor): SpanRecord {
  return {
    ...span,
    name: clean(span.name, redactor),
    attributes: cleanAttributes(span.attributes, redactor),
    ...(span.statusMessage !== undefined ? { statusMessage: clean(span.statusMessage, redactor) } : {}),
    events: span.events.map((e) => cleanEvent(e, redactor)),
  };
}
