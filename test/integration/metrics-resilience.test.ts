// What must not break crotel: a CRD that is missing at start, malformed fields, an apiserver
// restart, and more series than a metric's cardinality limit allows.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { createInstance, setStatus } from '../../harness/databaseinstances.ts';
import { applyCrds } from '../../harness/kube.ts';
import { waitFor } from '../../harness/processes.ts';
import { parseExposition, pick, seriesKey } from '../../harness/prom-text.ts';

const DB_CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const WIDGET_CRD = new URL('../fixtures/widget-crd.yaml', import.meta.url).pathname;
const WIDGET_ID = 'test.crotel.dev/v1/Widget';

const CONFIG = `
resources:
  - group: stable.example.com
    version: v1
    kind: DatabaseInstance
    generic: false
    labels: {name: metadata.name}
    metrics:
      - name: db_storage_gb
        gauge: {path: spec.storageGB}
      - name: db_phase
        cardinalityLimit: 2
        labels: {phase: status.phase}
        gauge: {path: status.phase, equals: Running}
  - group: test.crotel.dev
    version: v1
    kind: Widget
    generic: false
    labels: {name: metadata.name}
    metrics:
      - name: widget_size
        gauge: {path: spec.size}
      - name: widget_built_time
        unit: s
        gauge: {path: status.builtAt}
      - name: widget_color
        info: {labels: {color: spec.color}}
`;

let cp: ControlPlane;
let crotel: CrotelProcess;

async function widget(name: string, body: Record<string, unknown>): Promise<void> {
  const res = await cp.raw('POST', '/apis/test.crotel.dev/v1/namespaces/default/widgets', {
    apiVersion: 'test.crotel.dev/v1', kind: 'Widget', metadata: { name }, ...body,
  });
  assert.equal(res.status, 201, res.body);
}

async function series(...prefixes: string[]) {
  return pick(parseExposition(await crotel.scrape()), ...prefixes);
}

before(async () => {
  cp = await startControlPlane();
  await applyCrds(cp, DB_CRD);
  await createInstance(cp, 'default', 'db-a', { engine: 'postgres', version: '14', storageGB: 1 }, { phase: 'Running' });
  const configPath = join(cp.dir, 'crotel.yaml');
  writeFileSync(configPath, CONFIG);
  // The Widget CRD is not installed yet: crotel must start anyway.
  crotel = await startCrotel({ args: ['--config', configPath, '--kubeconfig', cp.kubeconfigPath], waitReady: false });
});

after(async () => {
  await crotel?.stop();
  await cp?.stop();
});

test('a missing CRD is reported and retried, not fatal; the other resources are served', async () => {
  await waitFor('DatabaseInstance series', async () => (await series('db_storage_gb')).size === 1, 15_000);
  const ready = await crotel.get('/readyz');
  assert.equal(ready.status, 503);
  assert.match(ready.body, /test\.crotel\.dev\/v1\/Widget/);
  assert.match(ready.body, /not served|CRD/);
  const errors = await series('crotel_reflector_errors_total');
  assert.ok((errors.get(seriesKey('crotel_reflector_errors_total', { crotel_resource: WIDGET_ID, stage: 'discovery' })) ?? 0) >= 1);

  await applyCrds(cp, WIDGET_CRD);
  await widget('w-ok', { spec: { size: 3, color: 'red' }, status: { builtAt: '2026-01-01T00:00:00Z' } });
  await waitFor('/readyz once the CRD exists', async () => (await crotel.get('/readyz')).status === 200, 40_000);
  await waitFor('Widget series', async () => (await series('widget_size')).get(seriesKey('widget_size', { name: 'w-ok' })) === 3, 10_000);
});

test('malformed fields are counted and skipped; the object keeps its other metrics', async () => {
  await widget('w-bad', {
    spec: { size: { nested: 'object' }, color: 'x'.repeat(100_000) },
    status: { builtAt: 'yesterday' },
  });
  await widget('w-after', { spec: { size: 7 } });
  await waitFor('w-after served', async () => (await series('widget_size')).has(seriesKey('widget_size', { name: 'w-after' })), 10_000);
  const all = parseExposition(await crotel.scrape());
  assert.equal(all.has(seriesKey('widget_size', { name: 'w-bad' })), false, 'a non-numeric size gives no series');
  assert.equal(all.has(seriesKey('widget_built_time_seconds', { name: 'w-bad' })), false);
  const errorPaths = [...pick(all, 'crotel_extraction_errors_total').keys()].join('\n');
  assert.match(errorPaths, /path="spec\.size"/);
  assert.match(errorPaths, /path="status\.builtAt"/);
  // The huge label value is capped, not exported whole and not fatal.
  const color = [...all.keys()].find((k) => k.startsWith('widget_color') && k.includes('"w-bad"'));
  assert.ok(color, 'the info series of w-bad is still there');
  assert.ok(color.length < 1000, `label value capped (${color.length} chars)`);
  assert.equal(crotel.child.exitCode, null, 'crotel still running');
});

test('the cardinality limit drops excess series and counts them', async () => {
  await createInstance(cp, 'default', 'db-b', { engine: 'postgres', version: '14', storageGB: 2 }, { phase: 'Running' });
  await createInstance(cp, 'default', 'db-c', { engine: 'postgres', version: '14', storageGB: 3 }, { phase: 'Running' });
  await waitFor('three storage series', async () => (await series('db_storage_gb')).size === 3, 10_000);
  assert.equal((await series('db_phase')).size, 2, 'db_phase is limited to 2 series');
  const dropped = (await series('crotel_series_dropped_total')).get(seriesKey('crotel_series_dropped_total', { metric: 'db_phase' }));
  assert.ok((dropped ?? 0) >= 1);
});

test('an apiserver restart is survived: the watch reconnects and later changes arrive', async () => {
  const before = (await series('crotel_watch_starts_total')).get(
    seriesKey('crotel_watch_starts_total', { crotel_resource: 'stable.example.com/v1/DatabaseInstance' })) ?? 0;
  await cp.restartApiserver(2000);
  await setStatus(cp, 'default', 'db-a', { phase: 'Failed' });
  await waitFor('change after restart on /metrics', async () =>
    (await series('db_phase')).get(seriesKey('db_phase', { name: 'db-a', phase: 'Failed' })) === 0, 60_000);
  const afterRestart = (await series('crotel_watch_starts_total')).get(
    seriesKey('crotel_watch_starts_total', { crotel_resource: 'stable.example.com/v1/DatabaseInstance' })) ?? 0;
  assert.ok(afterRestart > before, `watch restarted (${before} → ${afterRestart})`);
  assert.equal(crotel.child.exitCode, null);
  assert.equal((await crotel.get('/readyz')).status, 200);
  // Whatever the reconnect needed (resume or relist after 410), no object was lost or doubled.
  assert.equal((await series('db_storage_gb')).size, 3);
});
