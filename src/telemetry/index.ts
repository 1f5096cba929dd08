// src/telemetry: The OpenTelemetry plumbing: OTEL_* environment by the spec, the OTLP exporters per protocol and
// signal, the replica's resource, and the SDK's diagnostics in crotel's log.
export * from './diag.ts';
export * from './env.ts';
export * from './exporters.ts';
export * from './log-limit.ts';
export * from './logging.ts';
export * from './resource.ts';
