// Kubernetes Events (core/v1) about watched objects → span events on the lifecycle span active
// at the event's time. Events are matched by involvedObject.uid and never stored.
import { redact, truncate } from '../extract/index.ts';
import type { ReflectorSink } from '../kube/reflector.ts';
import type { SpanEventRecord } from '../traces/index.ts';

const MAX_MESSAGE = 512;

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

export function toSpanEvent(raw: unknown): { uid: string; event: SpanEventRecord } | undefined {
  const e = raw as CoreEvent | null;
  const uid = e?.involvedObject?.uid;
  const time = e ? timeOf(e) : undefined;
  if (!e || !uid || time === undefined) return undefined;
  const attributes: Record<string, string> = {
    'k8s.event.type': e.type ?? 'Normal',
    'k8s.event.reason': e.reason ?? '',
  };
  if (e.message) attributes['k8s.event.message'] = truncate(redact(e.message), MAX_MESSAGE);
  const source = e.reportingController || e.source?.component;
  if (source) attributes['k8s.event.source'] = source;
  if (e.count !== undefined) attributes['k8s.event.count'] = String(e.count);
  return { uid, event: { name: e.reason || 'Event', timeMs: time.ms, precisionMs: time.precisionMs, attributes } };
}

export class EventSink implements ReflectorSink {
  private readonly attach: (uid: string, event: SpanEventRecord) => boolean;
  private readonly onInvalid: () => void;
  constructor(attach: (uid: string, event: SpanEventRecord) => boolean, onInvalid: () => void = () => {}) {
    this.attach = attach;
    this.onInvalid = onInvalid;
  }
  beginList(): void {}
  listPage(items: readonly unknown[]): void {
    for (const item of items) this.upsert(item);
  }
  endList(): void {}
  upsert(object: unknown): void {
    const converted = toSpanEvent(object);
    if (!converted) {
      this.onInvalid();
      return;
    }
    this.attach(converted.uid, converted.event);
  }
  remove(): void {}
}
