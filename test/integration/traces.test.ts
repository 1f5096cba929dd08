// Lifecycle traces end to end: the real crotel against a real apiserver, spans through the real
// Collector, read from what the Collector exported.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startCollector, type Collector } from '../../harness/collector.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { createInstance, DB_PATH, deleteInstance, setStatus } from '../../harness/databaseinstances.ts';
import { applyCrds } from '../../harness/kube.ts';
import { attributesOf, startOtlpSink, type OtlpSink, type OtlpSpan } from '../../harness/otlp-sink.ts';
import { waitFor } from '../../harness/processes.ts';
import { parseExposition, pick } from '../../harness/prom-text.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const CONFIG = new URL('../../examples/databaseinstance/crotel.yaml', import.meta.url).pathname;
const ROOT = 'reconcile DatabaseInstance';
const spec = { engine: 'postgres' as const, version: '16', storageGB: 5 };

let cp: ControlPlane;
let sink: OtlpSink;
let collector: Collector;
let crotel: CrotelProcess;

function crotelEnv(): Record<string, string> {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpEndpoint, OTEL_METRIC_EXPORT_INTERVAL: '1000' };
}

before(async () => {
  cp = await startControlPlane();
  await applyCrds(cp, CRD);
  sink = await startOtlpSink();
  collector = await startCollector({ exportTo: sink.endpoint });
  crotel = await startCrotel({ args: ['--config', CONFIG, '--kubeconfig', cp.kubeconfigPath], env: crotelEnv() });
});

after(async () => {
  await crotel?.stop();
  await collector?.stop();
  await sink?.close();
  await cp?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nanosToMs = (n: string) => Number(BigInt(n) / 1_000_000n);

function spansOf(uid: string): OtlpSpan[] {
  return sink.spans().filter((s) => attributesOf(s.attributes)['k8s.object.uid'] === uid);
}

function roots(uid: string): OtlpSpan[] {
  return spansOf(uid).filter((s) => s.name === ROOT);
}

async function rootCount(uid: string, n: number): Promise<OtlpSpan[]> {
  await waitFor(`${n} episode root span(s) for ${uid}`, async () => roots(uid).length >= n, 20_000);
  return roots(uid);
}

function readyCondition(status: string, at: Date) {
  return [{ type: 'Ready', status, reason: status === 'True' ? 'DatabaseReady' : 'Provisioning', lastTransitionTime: at.toISOString().replace(/\.\d+Z$/, 'Z') }];
}

async function createdAt(name: string): Promise<number> {
  const res = await cp.raw('GET', `${DB_PATH}/namespaces/default/databaseinstances/${name}`);
  return Date.parse((JSON.parse(res.body) as { metadata: { creationTimestamp: string } }).metadata.creationTimestamp);
}

test('Pending → Provisioning → Running is one trace: a root from creation to healthy and a child per state', async () => {
  const uid = await createInstance(cp, 'default', 'lc-db', spec);
  await sleep(300);
  await setStatus(cp, 'default', 'lc-db', { phase: 'Pending' });
  await sleep(300);
  const notReadySince = new Date(Math.floor(Date.now() / 1000) * 1000);
  await setStatus(cp, 'default', 'lc-db', { phase: 'Provisioning', conditions: readyCondition('False', notReadySince) });
  await sleep(1100);
  const readySince = new Date(Math.floor(Date.now() / 1000) * 1000);
  await setStatus(cp, 'default', 'lc-db', { phase: 'Running', conditions: readyCondition('True', readySince) });

  const [root] = await rootCount(uid, 1);
  await sleep(300);
  const trace = spansOf(uid).filter((s) => s.traceId === root!.traceId);
  assert.deepEqual(trace.map((s) => s.name).sort(), ['condition Ready=False', 'phase Pending', 'phase Provisioning', ROOT].sort());
  for (const child of trace.filter((s) => s.name !== ROOT)) assert.equal(child.parentSpanId, root!.spanId, `${child.name} is a child of the root`);
  assert.equal(root!.parentSpanId ?? '', '');
  const rootAttrs = attributesOf(root!.attributes);
  assert.equal(rootAttrs['crotel.episode.outcome'], 'succeeded');
  assert.equal(rootAttrs['crotel.episode.trigger'], 'created');
  assert.equal(rootAttrs['k8s.object.kind'], 'DatabaseInstance');
  assert.equal(rootAttrs['k8s.namespace.name'], 'default');
  assert.equal(rootAttrs['k8s.object.name'], 'lc-db');
  assert.equal(root!.status?.code ?? 0, 1, 'root status OK');
  // Times from the object: the root starts at creationTimestamp, the condition span at its lastTransitionTimes.
  assert.equal(nanosToMs(root!.startTimeUnixNano), await createdAt('lc-db'));
  const notReady = trace.find((s) => s.name === 'condition Ready=False')!;
  assert.equal(nanosToMs(notReady.startTimeUnixNano), notReadySince.getTime());
  assert.equal(nanosToMs(notReady.endTimeUnixNano), readySince.getTime());
  const pending = trace.find((s) => s.name === 'phase Pending')!;
  const provisioning = trace.find((s) => s.name === 'phase Provisioning')!;
  assert.equal(pending.endTimeUnixNano, provisioning.startTimeUnixNano, 'phase spans follow each other');
});

test('a spec change opens a second episode in a new trace', async () => {
  const uid = await findUid('lc-db');
  const res = await cp.raw('PATCH', `${DB_PATH}/namespaces/default/databaseinstances/lc-db`, { spec: { storageGB: 50 } });
  assert.equal(res.status, 200, res.body);
  await sleep(300);
  await setStatus(cp, 'default', 'lc-db', { phase: 'Provisioning' });
  await sleep(300);
  await setStatus(cp, 'default', 'lc-db', { phase: 'Running' });
  const all = await rootCount(uid, 2);
  const second = all.find((r) => attributesOf(r.attributes)['crotel.episode.trigger'] === 'spec_change')!;
  assert.ok(second, 'a spec_change episode');
  assert.notEqual(second.traceId, all.find((r) => r !== second)!.traceId);
  assert.equal(attributesOf(second.attributes)['k8s.object.generation'], '2');
  const names = spansOf(uid).filter((s) => s.traceId === second.traceId).map((s) => s.name).sort();
  assert.ok(names.includes('phase Provisioning') && names.includes('phase Running'), names.join(', '));
});

test('Running → Failed (configured terminal) gives an episode that ends with status ERROR', async () => {
  const uid = await findUid('lc-db');
  await setStatus(cp, 'default', 'lc-db', { phase: 'Failed' });
  const all = await rootCount(uid, 3);
  const failed = all.find((r) => attributesOf(r.attributes)['crotel.episode.outcome'] === 'failed')!;
  assert.ok(failed);
  assert.equal(failed.status?.code, 2, 'STATUS_CODE_ERROR');
  assert.equal(attributesOf(failed.attributes)['crotel.episode.trigger'], 'degraded');
});

test('deletion ends the open episode; Kubernetes Events become span events', async () => {
  const uid = await createInstance(cp, 'default', 'del-db', spec);
  await sleep(200);
  await setStatus(cp, 'default', 'del-db', { phase: 'Pending' });
  await sleep(300);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ev = await cp.raw('POST', '/api/v1/namespaces/default/events', {
    metadata: { name: 'del-db.scheduled' },
    involvedObject: { apiVersion: 'stable.example.com/v1', kind: 'DatabaseInstance', name: 'del-db', namespace: 'default', uid },
    type: 'Warning', reason: 'VolumeSlow', message: 'volume attach is slow: postgres://admin:s3cret@db:5432/x',
    firstTimestamp: now, lastTimestamp: now, count: 1, source: { component: 'db-operator' },
  });
  assert.equal(ev.status, 201, ev.body);
  await sleep(1000);
  await deleteInstance(cp, 'default', 'del-db');
  const [root] = await rootCount(uid, 1);
  assert.equal(attributesOf(root!.attributes)['crotel.episode.outcome'], 'deleted');
  await sleep(300);
  const withEvent = spansOf(uid).find((s) => (s.events ?? []).some((e) => e.name === 'VolumeSlow'));
  assert.ok(withEvent, 'the Event is on a span of the episode');
  assert.equal(withEvent.name, 'phase Pending', 'on the span active at the event time');
  const attrs = attributesOf(withEvent.events!.find((e) => e.name === 'VolumeSlow')!.attributes);
  assert.equal(attrs['k8s.event.type'], 'Warning');
  assert.ok(!attrs['k8s.event.message']!.includes('s3cret'), 'credentials redacted in event messages');
});

test('killed and restarted mid-episode: the rest lands in the same trace, no span twice', async () => {
  const uid = await createInstance(cp, 'default', 'rs-db', spec);
  await sleep(200);
  await setStatus(cp, 'default', 'rs-db', { phase: 'Pending' });
  await sleep(300);
  await setStatus(cp, 'default', 'rs-db', { phase: 'Provisioning' });
  await waitFor('phase Pending exported before the kill', async () => spansOf(uid).some((s) => s.name === 'phase Pending'), 10_000);
  assert.notEqual(await crotel.stop('SIGKILL'), 0);
  crotel = await startCrotel({ args: ['--config', CONFIG, '--kubeconfig', cp.kubeconfigPath], env: crotelEnv() });
  await setStatus(cp, 'default', 'rs-db', { phase: 'Running' });
  const [root] = await rootCount(uid, 1);
  await sleep(500);
  const spans = spansOf(uid);
  assert.deepEqual(new Set(spans.map((s) => s.traceId)), new Set([root!.traceId]), 'one trace across the restart');
  assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length, 'no span exported twice');
  assert.deepEqual(spans.map((s) => s.name).sort(), ['phase Pending', 'phase Provisioning', ROOT].sort());
  assert.equal(nanosToMs(root!.startTimeUnixNano), await createdAt('rs-db'), 'root still starts at creation');
});

test('a 410 Gone relist after an apiserver restart produces no spurious transitions or spans', async () => {
  const scrape = async () => parseExposition(await crotel.scrape());
  const transitions = async () => [...pick(await scrape(), 'crotel_transitions_total')].map(([k, v]) => `${k}=${v}`).sort();
  const spansBefore = sink.spans().length;
  const before = await transitions();
  // Move etcd's revision past crotel's resourceVersion with an unrelated write, compact history,
  // and restart the apiserver (emptying its watch cache): the watch can only resume with a 410.
  assert.equal((await cp.raw('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'bump-revision' } })).status, 201);
  await cp.compactEtcd();
  await cp.restartApiserver(1000);
  await waitFor('a relist after 410 Gone', async () =>
    [...pick(await scrape(), 'crotel_relists_total')].some(([k, v]) => k.includes('reason="expired"') && v >= 1), 60_000);
  await waitFor('synced again', async () => (await crotel.get('/readyz')).status === 200, 30_000);
  await sleep(1500);
  assert.deepEqual(await transitions(), before);
  assert.equal(sink.spans().length, spansBefore, 'no new spans');
});

test('a Collector outage: crotel keeps running, bounds its queue, counts drops, and resumes', async () => {
  await crotel.stop();
  const configPath = join(cp.dir, 'small-queue.yaml');
  writeFileSync(configPath, `${(await import('node:fs')).readFileSync(CONFIG, 'utf8')}\ntraces:\n  queueSize: 4\n`);
  crotel = await startCrotel({ args: ['--config', configPath, '--kubeconfig', cp.kubeconfigPath], env: crotelEnv() });
  await collector.pause();
  const uids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const name = `out-${i}`;
    uids.push(await createInstance(cp, 'default', name, spec));
    for (const phase of ['Pending', 'Provisioning', 'Running']) {
      await setStatus(cp, 'default', name, { phase });
      await sleep(50);
    }
  }
  // 4 episodes × (2 children + root) = 12 spans into a queue of 4: at least 8 dropped, oldest first.
  await waitFor('drops counted', async () => {
    const dropped = pick(parseExposition(await crotel.scrape()), 'crotel_spans_dropped_total');
    return [...dropped].some(([k, v]) => k.includes('queue_full') && v >= 8);
  }, 15_000);
  assert.equal(crotel.child.exitCode, null);
  // The exporter retries a refused connection for a while before it reports a failure.
  await waitFor('a failed span export counted', async () => {
    const failures = pick(parseExposition(await crotel.scrape()), 'crotel_export_failures_total');
    return [...failures].some(([k, v]) => k.includes('traces') && v >= 1);
  }, 40_000);
  await collector.resume();
  await waitFor('the newest episode arrives after the outage', async () => roots(uids[3]!).length === 1, 40_000);
});

async function findUid(name: string): Promise<string> {
  const res = await cp.raw('GET', `${DB_PATH}/namespaces/default/databaseinstances/${name}`);
  return (JSON.parse(res.body) as { metadata: { uid: string } }).metadata.uid;
}
