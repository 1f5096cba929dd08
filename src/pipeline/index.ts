// src/pipeline: crotel's object → state → metrics/traces pipeline, assembled once for the product
// and the benchmarks (createPipeline: watches → stores → /metrics and OTLP, tracker → spans, and the
// order of start and stop), and the environment read once into typed settings (readSettings). It
// wires the stages of the other folders; it holds no stage itself, and no process (server,
// signals, the Lease client: src/runtime.ts).
export * from './fed-watches.ts';
export * from './pipeline.ts';
export * from './settings.ts';
