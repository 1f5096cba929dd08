// src/metrics: Metrics out: the Prometheus text / OpenMetrics exposition of object series, the OTLP
// MetricProducer over the same stores, OTel → Prometheus names, self- and process metrics, and the
// MeterProvider that carries them.
export * from './exposition.ts';
export * from './object-producer.ts';
export * from './process-metrics.ts';
export * from './prometheus-names.ts';
export * from './prometheus-text.ts';
export * from './sdk-exposition.ts';
export * from './self-metrics.ts';
export * from './telemetry.ts';
