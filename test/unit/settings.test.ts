// The environment read once (src/pipeline/settings.ts), one named case per rule: crotel's own
// variables refused when bad (EnvError naming variable, value, expectation), OTEL_* by the spec
// (warned, default kept), and crotel's shipped defaults for what the benchmarks must match.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULTS } from '../../src/telemetry/env.ts';
import { EnvError, readSettings, type Settings } from '../../src/pipeline/index.ts';

interface Case {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly expect?: (s: Settings) => void;
  /** The EnvError expected instead of settings: its variable and a part of its message. */
  readonly error?: { readonly variable: string; readonly message: string };
  /** Substrings the OTEL warnings must contain (none when absent). */
  readonly warns?: readonly string[];
}

const cases: Case[] = [
  { name: 'nothing set: crotel\'s defaults, nothing of crotel\'s own', env: {}, expect: (s) => {
    assert.equal(s.logLevel, undefined);
    assert.equal(s.revision, undefined);
    assert.equal(s.podNamespace, undefined);
    assert.equal(s.otel.tracesExporters.size, 0);
    assert.equal(s.otel.metricsExporters.size, 0);
  } },
  { name: 'shipped span batching: 200 ms flush, batches of 512, 30 s export timeout, queue from the config', env: {}, expect: (s) => {
    assert.equal(s.otel.bsp.scheduleDelayMs, 200);
    assert.equal(s.otel.bsp.scheduleDelayMs, DEFAULTS.bspScheduleDelayMs);
    assert.equal(s.otel.bsp.maxExportBatchSize, 512);
    assert.equal(s.otel.bsp.exportTimeoutMs, 30_000);
    assert.equal(s.otel.bsp.maxQueueSize, undefined);
  } },
  { name: 'OTEL_BSP_* override the defaults', env: { OTEL_BSP_SCHEDULE_DELAY: '1000', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64', OTEL_BSP_MAX_QUEUE_SIZE: '50', OTEL_BSP_EXPORT_TIMEOUT: '5000' }, expect: (s) => {
    assert.deepEqual(s.otel.bsp, { scheduleDelayMs: 1000, maxExportBatchSize: 64, maxQueueSize: 50, exportTimeoutMs: 5000 });
  } },
  { name: 'a bad OTEL_BSP_SCHEDULE_DELAY is warned about and the default kept (the spec)', env: { OTEL_BSP_SCHEDULE_DELAY: 'soon' }, warns: ['OTEL_BSP_SCHEDULE_DELAY="soon"', 'using 200'], expect: (s) => {
    assert.equal(s.otel.bsp.scheduleDelayMs, 200);
  } },
  { name: 'a zero OTEL_BSP_MAX_EXPORT_BATCH_SIZE is warned about and the default kept', env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' }, warns: ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE="0"'], expect: (s) => {
    assert.equal(s.otel.bsp.maxExportBatchSize, 512);
  } },
  { name: 'an endpoint turns on both push paths', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, expect: (s) => {
    assert.deepEqual([...s.otel.tracesExporters], ['otlp']);
    assert.deepEqual([...s.otel.metricsExporters], ['otlp']);
  } },
  { name: 'OTEL_METRICS_EXPORTER=none keeps traces on with an endpoint', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRICS_EXPORTER: 'none' }, expect: (s) => {
    assert.deepEqual([...s.otel.tracesExporters], ['otlp']);
    assert.equal(s.otel.metricsExporters.size, 0);
  } },
  { name: 'CROTEL_LOG_LEVEL read', env: { CROTEL_LOG_LEVEL: 'debug' }, expect: (s) => assert.equal(s.logLevel, 'debug') },
  { name: 'CROTEL_LOG_LEVEL is case-insensitive and trimmed', env: { CROTEL_LOG_LEVEL: ' WARN ' }, expect: (s) => assert.equal(s.logLevel, 'warn') },
  { name: 'an empty CROTEL_LOG_LEVEL is unset', env: { CROTEL_LOG_LEVEL: '' }, expect: (s) => assert.equal(s.logLevel, undefined) },
  { name: 'a bad CROTEL_LOG_LEVEL is refused, naming the levels', env: { CROTEL_LOG_LEVEL: 'loud' },
    error: { variable: 'CROTEL_LOG_LEVEL', message: 'CROTEL_LOG_LEVEL="loud": expected one of trace, debug, info, warn, error, fatal, silent' } },
  { name: 'CROTEL_REVISION read', env: { CROTEL_REVISION: '7ab843f' }, expect: (s) => assert.equal(s.revision, '7ab843f') },
  { name: 'an empty CROTEL_REVISION (the image built without one) is unset', env: { CROTEL_REVISION: '' }, expect: (s) => assert.equal(s.revision, undefined) },
  { name: 'a CROTEL_REVISION with spaces is refused', env: { CROTEL_REVISION: 'not a sha' },
    error: { variable: 'CROTEL_REVISION', message: 'CROTEL_REVISION="not a sha": expected a revision of 1 to 128 printable characters' } },
  { name: 'an overlong CROTEL_REVISION is refused', env: { CROTEL_REVISION: 'a'.repeat(129) }, error: { variable: 'CROTEL_REVISION', message: 'expected a revision' } },
  { name: 'POD_NAMESPACE read', env: { POD_NAMESPACE: 'monitoring' }, expect: (s) => assert.equal(s.podNamespace, 'monitoring') },
  { name: 'a POD_NAMESPACE that is no namespace name is refused', env: { POD_NAMESPACE: 'Monitoring_1' },
    error: { variable: 'POD_NAMESPACE', message: 'POD_NAMESPACE="Monitoring_1": expected a namespace name' } },
  { name: 'a POD_NAMESPACE over 63 characters is refused', env: { POD_NAMESPACE: 'n'.repeat(64) }, error: { variable: 'POD_NAMESPACE', message: 'at most 63 characters' } },
  { name: 'OTEL warnings do not stop crotel\'s own variables from being read', env: { OTEL_METRIC_EXPORT_INTERVAL: 'x', CROTEL_LOG_LEVEL: 'error' }, warns: ['OTEL_METRIC_EXPORT_INTERVAL="x"'], expect: (s) => {
    assert.equal(s.logLevel, 'error');
    assert.equal(s.otel.metricExportIntervalMs, 60_000);
  } },
  { name: 'the environment is kept for what OpenTelemetry reads itself', env: { OTEL_RESOURCE_ATTRIBUTES: 'k8s.cluster.name=a' }, expect: (s) => {
    assert.equal(s.env.OTEL_RESOURCE_ATTRIBUTES, 'k8s.cluster.name=a');
  } },
];

for (const c of cases) {
  test(c.name, () => {
    if (c.error) {
      assert.throws(() => readSettings(c.env), (error: unknown) => {
        assert.ok(error instanceof EnvError, `an EnvError, got ${String(error)}`);
        assert.equal(error.variable, c.error!.variable);
        assert.ok(error.message.includes(c.error!.message), `${error.message} includes ${c.error!.message}`);
        return true;
      });
      return;
    }
    const settings = readSettings(c.env);
    c.expect?.(settings);
    const warnings = settings.otel.warnings.join('\n');
    if (!c.warns) assert.equal(warnings, '', 'no warnings');
    for (const w of c.warns ?? []) assert.ok(warnings.includes(w), `warnings ${JSON.stringify(warnings)} include ${w}`);
  });
}
