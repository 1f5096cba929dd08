// src/traces owns lifecycle traces: the Snapshot diff that becomes Transitions (diff.ts), episodes of
// an object as spans with deterministic ids (episodes.ts, ids.ts, pure), their OpenTelemetry form and the SLO metrics beside them
// (recorder.ts), and shipping spans over OTLP through a Collector outage (shipper.ts, exporter.ts).
// It reads Snapshots and Transitions only; it never talks to the apiserver.
export { EpisodeTracker, type LifecycleSink, type SpanRecord, type SpanEventRecord, type EpisodeOutcome, type EpisodeTrigger } from './episodes.ts';
export { LifecycleRecorder } from './recorder.ts';
export { SpanShipper, shipperFor, toReadableSpan, type BatchSettings } from './shipper.ts';
export { createSpanExporter, otlpTracesEndpointConfigured } from './exporter.ts';
export { traceIdFor, spanIdFor } from './ids.ts';
export { diff, type Transition } from './diff.ts';
export { redactSpan, MAX_SPAN_STRING } from './redact-span.ts';
