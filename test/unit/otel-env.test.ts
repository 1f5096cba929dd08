// The OpenTelemetry environment variables by the spec's rules (src/telemetry/env.ts), one named
// case per rule: empty = unset, unparseable = warned and ignored, enums case-insensitive, lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagLogLevel } from '@opentelemetry/api';
import { readOtelEnv, type OtelSettings } from '../../src/telemetry/env.ts';

interface Case {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly expect: (s: OtelSettings) => void;
  /** Substrings the warnings must contain (none when empty). */
  readonly warns?: readonly string[];
}

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

const cases: Case[] = [
  { name: 'nothing set: no push, spec defaults', env: {}, expect: (s) => {
    assert.equal(s.metricsExporters.size, 0);
    assert.equal(s.tracesExporters.size, 0);
    assert.equal(s.metricsProtocol, 'http/protobuf');
    assert.equal(s.tracesProtocol, 'http/protobuf');
    assert.equal(s.metricExportIntervalMs, 60_000);
    assert.equal(s.metricExportTimeoutMs, 30_000);
    assert.equal(s.logLevel, DiagLogLevel.INFO);
  } },
  { name: 'an endpoint turns otlp on for both signals', env: ENDPOINT, expect: (s) => {
    assert.deepEqual([...s.metricsExporters], ['otlp']);
    assert.deepEqual([...s.tracesExporters], ['otlp']);
  } },
  { name: 'a signal endpoint turns on only that signal', env: { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics' }, expect: (s) => {
    assert.deepEqual([...s.metricsExporters], ['otlp']);
    assert.equal(s.tracesExporters.size, 0);
  } },
  { name: 'empty endpoint is unset', env: { OTEL_EXPORTER_OTLP_ENDPOINT: '' }, expect: (s) => assert.equal(s.metricsExporters.size, 0) },
  { name: 'empty interval is unset (no error, default)', env: { OTEL_METRIC_EXPORT_INTERVAL: '' }, expect: (s) => assert.equal(s.metricExportIntervalMs, 60_000) },
  { name: 'whitespace-only interval is unset', env: { OTEL_METRIC_EXPORT_INTERVAL: '  ' }, expect: (s) => assert.equal(s.metricExportIntervalMs, 60_000) },
  { name: 'unparseable interval is warned about and ignored (never a 1 ms loop)', env: { OTEL_METRIC_EXPORT_INTERVAL: 'abc' }, warns: ['OTEL_METRIC_EXPORT_INTERVAL="abc"'], expect: (s) => assert.equal(s.metricExportIntervalMs, 60_000) },
  { name: 'zero and negative intervals are ignored', env: { OTEL_METRIC_EXPORT_INTERVAL: '0' }, warns: ['OTEL_METRIC_EXPORT_INTERVAL="0"'], expect: (s) => assert.equal(s.metricExportIntervalMs, 60_000) },
  { name: 'a valid interval applies; the timeout follows it down', env: { OTEL_METRIC_EXPORT_INTERVAL: '1000' }, expect: (s) => {
    assert.equal(s.metricExportIntervalMs, 1000);
    assert.equal(s.metricExportTimeoutMs, 1000);
  } },
  { name: 'export timeout applies', env: { OTEL_METRIC_EXPORT_TIMEOUT: '5000' }, expect: (s) => assert.equal(s.metricExportTimeoutMs, 5000) },
  { name: 'timeout above the interval is clamped with a warning', env: { OTEL_METRIC_EXPORT_INTERVAL: '2000', OTEL_METRIC_EXPORT_TIMEOUT: '9000' }, warns: ['exceeds'], expect: (s) => assert.equal(s.metricExportTimeoutMs, 2000) },
  { name: 'unparseable timeout ignored', env: { OTEL_METRIC_EXPORT_TIMEOUT: '5s' }, warns: ['OTEL_METRIC_EXPORT_TIMEOUT="5s"'], expect: (s) => assert.equal(s.metricExportTimeoutMs, 30_000) },
  { name: 'exporter NONE (upper case) means none even with an endpoint', env: { ...ENDPOINT, OTEL_METRICS_EXPORTER: 'NONE' }, expect: (s) => {
    assert.equal(s.metricsExporters.size, 0);
    assert.deepEqual([...s.tracesExporters], ['otlp']);
  } },
  { name: 'exporter console alone: no OTLP', env: { ...ENDPOINT, OTEL_METRICS_EXPORTER: 'console' }, expect: (s) => assert.deepEqual([...s.metricsExporters], ['console']) },
  { name: 'exporter list otlp,console (spaces, case)', env: { OTEL_METRICS_EXPORTER: ' OTLP , Console ' }, expect: (s) => assert.deepEqual([...s.metricsExporters].sort(), ['console', 'otlp']) },
  { name: 'prometheus exporter is accepted for metrics', env: { OTEL_METRICS_EXPORTER: 'prometheus' }, expect: (s) => assert.deepEqual([...s.metricsExporters], ['prometheus']) },
  { name: 'unknown exporter warned and skipped, the rest kept', env: { OTEL_TRACES_EXPORTER: 'zipkin,otlp' }, warns: ['"zipkin"'], expect: (s) => assert.deepEqual([...s.tracesExporters], ['otlp']) },
  { name: 'none with others: none, warned', env: { OTEL_TRACES_EXPORTER: 'otlp,none' }, warns: ['"none" with other'], expect: (s) => assert.equal(s.tracesExporters.size, 0) },
  { name: 'empty exporter list is unset (endpoint default applies)', env: { ...ENDPOINT, OTEL_TRACES_EXPORTER: '' }, expect: (s) => assert.deepEqual([...s.tracesExporters], ['otlp']) },
  { name: 'OTEL_SDK_DISABLED=TRUE disables every push', env: { ...ENDPOINT, OTEL_SDK_DISABLED: 'TRUE', OTEL_METRICS_EXPORTER: 'otlp,console' }, expect: (s) => {
    assert.equal(s.sdkDisabled, true);
    assert.equal(s.metricsExporters.size, 0);
    assert.equal(s.tracesExporters.size, 0);
  } },
  { name: 'OTEL_SDK_DISABLED=yes is warned about, false', env: { OTEL_SDK_DISABLED: 'yes' }, warns: ['OTEL_SDK_DISABLED'], expect: (s) => assert.equal(s.sdkDisabled, false) },
  { name: 'protocol grpc (case-insensitive) for both signals', env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'GRPC' }, expect: (s) => {
    assert.equal(s.metricsProtocol, 'grpc');
    assert.equal(s.tracesProtocol, 'grpc');
  } },
  { name: 'per-signal protocol wins over the generic one', env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }, expect: (s) => {
    assert.equal(s.metricsProtocol, 'http/json');
    assert.equal(s.tracesProtocol, 'grpc');
  } },
  { name: 'unknown protocol warned, default http/protobuf', env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift' }, warns: ['thrift'], expect: (s) => assert.equal(s.tracesProtocol, 'http/protobuf') },
  { name: 'BSP variables apply', env: { OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10', OTEL_BSP_EXPORT_TIMEOUT: '700' }, expect: (s) => {
    assert.deepEqual(s.bsp, { scheduleDelayMs: 50, maxQueueSize: 100, maxExportBatchSize: 10, exportTimeoutMs: 700 });
  } },
  { name: 'BSP defaults (queue size: the config decides)', env: {}, expect: (s) => {
    assert.deepEqual(s.bsp, { scheduleDelayMs: 200, maxQueueSize: undefined, maxExportBatchSize: 512, exportTimeoutMs: 30_000 });
  } },
  { name: 'fractional BSP queue size is ignored', env: { OTEL_BSP_MAX_QUEUE_SIZE: '2.5' }, warns: ['OTEL_BSP_MAX_QUEUE_SIZE'], expect: (s) => assert.equal(s.bsp.maxQueueSize, undefined) },
  { name: 'OTEL_LOG_LEVEL debug (lower case)', env: { OTEL_LOG_LEVEL: 'debug' }, expect: (s) => assert.equal(s.logLevel, DiagLogLevel.DEBUG) },
  { name: 'OTEL_LOG_LEVEL unknown: warned, INFO', env: { OTEL_LOG_LEVEL: 'loud' }, warns: ['OTEL_LOG_LEVEL'], expect: (s) => assert.equal(s.logLevel, DiagLogLevel.INFO) },
];

for (const c of cases) {
  test(c.name, () => {
    const settings = readOtelEnv(c.env);
    c.expect(settings);
    const expected = c.warns ?? [];
    assert.equal(settings.warnings.length, expected.length, `warnings: ${JSON.stringify(settings.warnings)}`);
    for (const w of expected) assert.ok(settings.warnings.some((x) => x.includes(w)), `a warning mentioning ${w}: ${JSON.stringify(settings.warnings)}`);
  });
}
