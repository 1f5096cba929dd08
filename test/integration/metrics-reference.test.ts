// The reference workload end to end: the real crotel CLI against a real apiserver serves
// exactly the original monitor's four metrics, follows changes, and sends the same series
// over OTLP through the real Collector. Credentials never leave the process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startCollector, type Collector } from '../../harness/collector.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { createInstance, deleteInstance, setStatus } from '../../harness/databaseinstances.ts';
import { applyCrds, ensureNamespace } from '../../harness/kube.ts';
import { attributesOf, startOtlpSink, type OtlpJson, type OtlpSink } from '../../harness/otlp-sink.ts';
import { waitFor } from '../../harness/processes.ts';
import { isCrotelSelfMetric, parseExposition, pick, seriesKey, type SeriesMap } from '../../harness/prom-text.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const CONFIG = new URL('../../examples/databaseinstance/crotel.yaml', import.meta.url).pathname;
const SECRET = 'postgres://user:pass@host:5432/db';
const REFERENCE = ['database_instance_'];

let cp: ControlPlane;
let sink: OtlpSink;
let collector: Collector;
let crotel: CrotelProcess;

before(async () => {
  cp = await startControlPlane();
  await applyCrds(cp, CRD);
  await ensureNamespace(cp, 'payments');
  sink = await startOtlpSink();
  collector = await startCollector({ exportTo: sink.endpoint });
  await createInstance(cp, 'default', 'my-test-db', { engine: 'postgres', version: '14', storageGB: 10 }, {
    phase: 'Running',
    connectionString: SECRET,
    lastBackupTime: '2023-10-27T10:00:00Z',
    conditions: [{ type: 'Ready', status: 'True', reason: 'DatabaseReady', message: 'Database is provisioned and ready', lastTransitionTime: '2023-10-27T09:50:00Z' }],
  });
  await createInstance(cp, 'default', 'fresh-db', { engine: 'mysql', version: '8.0', storageGB: 20 });
  await createInstance(cp, 'payments', 'ledger', { engine: 'postgres', version: '16', storageGB: 100 }, {
    phase: 'Provisioning',
    connectionString: 'postgres://admin:hunter2@ledger:5432/ledger',
    conditions: [{ type: 'Ready', status: 'False', reason: 'Provisioning', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  });
  crotel = await startCrotel({
    args: ['--config', CONFIG, '--kubeconfig', cp.kubeconfigPath],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpEndpoint, OTEL_METRIC_EXPORT_INTERVAL: '500' },
  });
});

after(async () => {
  await crotel?.stop();
  await collector?.stop();
  await sink?.close();
  await cp?.stop();
});

function labels(name: string, namespace: string, engine: string, version: string, extra: Record<string, string> = {}) {
  return { name, namespace, engine, version, ...extra };
}

async function referenceSeries(): Promise<SeriesMap> {
  return pick(parseExposition(await crotel.scrape()), ...REFERENCE);
}

/** Object series of the newest OTLP export that carried them, in Prometheus naming. */
function latestOtlpSeries(): SeriesMap | undefined {
  for (let i = sink.metrics.length - 1; i >= 0; i--) {
    const found = otlpObjectSeries(sink.metrics[i]!);
    if (found) return found;
  }
  return undefined;
}

function otlpObjectSeries(batch: OtlpJson): SeriesMap | undefined {
  let series: SeriesMap | undefined;
  for (const rm of batch.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      if ((sm as { scope?: { name?: string } }).scope?.name !== 'crotel.objects') continue;
      series ??= new Map();
      for (const metric of sm.metrics ?? []) {
        for (const point of metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? []) {
          series.set(seriesKey(metric.name, attributesOf(point.attributes)), Number(point.asDouble ?? point.asInt));
        }
      }
    }
  }
  return series;
}

test('serves exactly the four reference metrics, names, labels and values', async () => {
  const expected: SeriesMap = new Map([
    [seriesKey('database_instance_phase', labels('my-test-db', 'default', 'postgres', '14', { phase: 'Running' })), 1],
    [seriesKey('database_instance_phase', labels('ledger', 'payments', 'postgres', '16', { phase: 'Provisioning' })), 0],
    [seriesKey('database_instance_condition', labels('my-test-db', 'default', 'postgres', '14', { condition_type: 'Ready', condition_status: 'True' })), 1],
    [seriesKey('database_instance_condition', labels('ledger', 'payments', 'postgres', '16', { condition_type: 'Ready', condition_status: 'False' })), 0],
    [seriesKey('database_instance_storage_gb', labels('my-test-db', 'default', 'postgres', '14')), 10],
    [seriesKey('database_instance_storage_gb', labels('fresh-db', 'default', 'mysql', '8.0')), 20],
    [seriesKey('database_instance_storage_gb', labels('ledger', 'payments', 'postgres', '16')), 100],
    [seriesKey('database_instance_last_backup_time_seconds', labels('my-test-db', 'default', 'postgres', '14')), Date.parse('2023-10-27T10:00:00Z') / 1000],
  ]);
  assert.deepEqual(await referenceSeries(), expected);
  // An instance with no status gets its storage series and nothing else.
  const fresh = [...(await referenceSeries()).keys()].filter((k) => k.includes('"fresh-db"'));
  assert.deepEqual(fresh, [seriesKey('database_instance_storage_gb', labels('fresh-db', 'default', 'mysql', '8.0'))]);
  // Nothing but the reference families and crotel's own self-metrics is exposed.
  const names = new Set([...parseExposition(await crotel.scrape()).keys()].map((k) => k.split('{')[0]!));
  for (const name of names) assert.ok(name.startsWith('database_instance_') || isCrotelSelfMetric(name), `unexpected family ${name}`);
});

test('the OTLP stream through the Collector carries the same series as /metrics', async () => {
  await waitFor('an OTLP export equal to the scrape', async () => {
    const otlp = latestOtlpSeries();
    return otlp !== undefined && JSON.stringify([...otlp].sort()) === JSON.stringify([...(await referenceSeries())].sort());
  }, 15_000);
});

test('a phase flip changes the value at the next scrape', async () => {
  await setStatus(cp, 'default', 'my-test-db', { phase: 'Failed' });
  const failed = seriesKey('database_instance_phase', labels('my-test-db', 'default', 'postgres', '14', { phase: 'Failed' }));
  const running = seriesKey('database_instance_phase', labels('my-test-db', 'default', 'postgres', '14', { phase: 'Running' }));
  await waitFor('phase Failed on /metrics', async () => (await referenceSeries()).get(failed) === 0, 10_000);
  assert.equal((await referenceSeries()).has(running), false, 'the Running series is replaced, not kept beside');
  await setStatus(cp, 'default', 'my-test-db', { phase: 'Running' });
  await waitFor('phase Running again', async () => (await referenceSeries()).get(running) === 1, 10_000);
});

test('a deleted instance leaves /metrics and the OTLP stream', async () => {
  await deleteInstance(cp, 'payments', 'ledger');
  await waitFor('ledger gone from /metrics', async () => ![...(await referenceSeries()).keys()].some((k) => k.includes('"ledger"')), 10_000);
  const exportsBefore = sink.metrics.length;
  await waitFor('a later OTLP export without ledger', async () => {
    if (sink.metrics.length <= exportsBefore) return false;
    const otlp = latestOtlpSeries();
    return otlp !== undefined && otlp.size > 0 && ![...otlp.keys()].some((k) => k.includes('"ledger"'));
  }, 15_000);
});

test('the connection string never leaves the process: not in /metrics, OTLP or logs', async () => {
  const scraped = await crotel.scrape();
  const exported = JSON.stringify(sink.metrics);
  for (const secret of [SECRET, 'user:pass', 'hunter2']) {
    assert.ok(!scraped.includes(secret), `/metrics leaks ${secret}`);
    assert.ok(!exported.includes(secret), `OTLP leaks ${secret}`);
    assert.ok(!crotel.output().includes(secret), `logs leak ${secret}`);
  }
});

test('self-metrics report objects per resource, list and watch starts', async () => {
  const self = pick(parseExposition(await crotel.scrape()), 'crotel_');
  const id = 'stable.example.com/v1/DatabaseInstance';
  assert.equal(self.get(seriesKey('crotel_objects', { crotel_resource: id })), 2);
  assert.equal(self.get(seriesKey('crotel_watch_up', { crotel_resource: id })), 1);
  assert.equal(self.get(seriesKey('crotel_resource_synced', { crotel_resource: id })), 1);
  assert.ok((self.get(seriesKey('crotel_list_starts_total', { crotel_resource: id })) ?? 0) >= 1);
  assert.ok((self.get(seriesKey('crotel_watch_starts_total', { crotel_resource: id })) ?? 0) >= 1);
});

test('SIGTERM stops crotel cleanly with exit code 0', async () => {
  assert.equal(await crotel.stop('SIGTERM'), 0);
});
