// Kubernetes Events (core/v1) about watched objects → span events on the lifecycle span active
// at the event's time. Events are matched by involvedObject.uid and never stored.
import { exportText, redact, type Redactor } from '../extract/index.ts';
import type { ReflectorSink } from '../kube/reflector.ts';
import type { SpanEventRecord } from '../traces/index.ts';

const MAX_MESSAGE = 512;
// Reasons, types and sources are short CamelCase words by convention; anything longer is cut.
const MAX_WORD = 128;

interface CoreEvent {
  involvedObject?: { uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  eventTime?: string | null;
  lastTimestamp?: string | null;
  firstTimestamp?: string | null;
  metadata?: { creationTimestamp?: string };
  reportingController?: string;
  source?: { component?: string };
}

/** The event's time (its latest occurrence) as epoch ms, and how coarse it is. */
function timeOf(e: CoreEvent): { ms: number; precisionMs: number } | undefined {
  for (const t of [e.lastTimestamp, e.eventTime, e.firstTimestamp, e.metadata?.creationTimestamp]) {
    if (t) {
      const ms = Date.parse(t);
      // RFC 3339 without a fraction (core Event timestamps) only says which second.
      if (Number.isFinite(ms)) return { ms, precisionMs: /\.\d/.test(t) ? 0 : 999 };
    }
  }
  return undefined;
}

/**
 * Every string of the Event is object data: each is redacted (built-in shapes and the config's
 * patterns), then capped. Non-string fields are ignored rather than stringified.
 */
export function toSpanEvent(raw: unknown, redactor: Redactor = redact): { uid: string; event: SpanEventRecord } | undefined {
  const e = raw as CoreEvent | null;
  const uid = typeof e?.involvedObject?.uid === 'string' ? e.involvedObject.uid : undefined;
  const time = e ? timeOf(e) : undefined;
  if (!e || !uid || time === undefined) return undefined;
  const text = (v: unknown, max: number): string => (typeof v === 'string' && v !== '' ? exportText(v, redactor, max).toWellFormed() : '');
  const reason = text(e.reason, MAX_WORD);
  const attributes: Record<string, string> = {
    'k8s.event.type': text(e.type, MAX_WORD) || 'Normal',
    'k8s.event.reason': reason,
  };
  const message = text(e.message, MAX_MESSAGE);
  if (message) attributes['k8s.event.message'] = message;
  const source = text(e.reportingController, MAX_WORD) || text(e.source?.component, MAX_WORD);
  if (source) attributes['k8s.event.source'] = source;
  if (typeof e.count === 'number' && Number.isFinite(e.count)) attributes['k8s.event.count'] = String(e.count);
  return { uid, event: { name: reason || 'Event', timeMs: time.ms, precisionMs: time.precisionMs, attributes } };
}

export class EventSink implements ReflectorSink {
  private readonly attach: (uid: string, event: SpanEventRecord) => boolean;
  private readonly onInvalid: () => void;
  private readonly redactor: Redactor;
  constructor(attach: (uid: string, event: SpanEventRecord) => boolean, onInvalid: () => void = () => {}, redactor: Redactor = redact) {
    this.attach = attach;
    this.onInvalid = onInvalid;
    this.redactor = redactor;
  }
  beginList(): void {}
  listPage(items: readonly unknown[]): void {
    for (const item of items) this.upsert(item);
  }
  endList(): void {}
  upsert(object: unknown): void {
    const converted = toSpanEvent(object, this.redactor);
    if (!converted) {
      this.onInvalid();
      return;
    }
    this.attach(converted.uid, converted.event);
  }
  remove(): void {}
}
