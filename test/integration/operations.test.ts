// Running crotel in a real cluster: least-privilege RBAC from `crotel rbac`, leader election,
// graceful SIGTERM with spans flushed, sharding, and the deploy/ manifests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { applyObjects, parseObjects, serviceAccountToken } from '../harness/apply.ts';
import { binaryPath } from '../../harness/binaries.ts';
import { startCollector, type Collector } from '../../harness/collector.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { createInstance, setStatus } from '../../harness/databaseinstances.ts';
import { applyCrds, ensureNamespace } from '../../harness/kube.ts';
import { attributesOf, startOtlpSink, type OtlpSink } from '../../harness/otlp-sink.ts';
import { waitFor } from '../../harness/processes.ts';
import { parseExposition, pick, type SeriesMap } from '../../harness/prom-text.ts';

const root = new URL('../../', import.meta.url).pathname;
const BIN = join(root, 'bin/crotel.js');
const DB_CRD = join(root, 'examples/databaseinstance/crd.yaml');
const WIDGET_CRD = join(root, 'test/fixtures/widget-crd.yaml');
const REFERENCE = join(root, 'examples/databaseinstance/crotel.yaml');
const NS = 'crotel-system';
const spec = { engine: 'postgres' as const, version: '16', storageGB: 5 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cp: ControlPlane;
let sink: OtlpSink;
let collector: Collector;
const running: CrotelProcess[] = [];

async function crotel(args: string[], env: Record<string, string> = {}, waitReady = true): Promise<CrotelProcess> {
  const p = await startCrotel({ args, env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpEndpoint, ...env }, waitReady });
  running.push(p);
  return p;
}

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function series(p: CrotelProcess, ...prefixes: string[]): Promise<SeriesMap> {
  return pick(parseExposition(await p.scrape()), ...prefixes);
}

before(async () => {
  cp = await startControlPlane();
  await applyCrds(cp, DB_CRD);
  await applyCrds(cp, WIDGET_CRD);
  await ensureNamespace(cp, NS);
  sink = await startOtlpSink();
  collector = await startCollector({ exportTo: sink.endpoint });
});

after(async () => {
  for (const p of running) await p.stop('SIGKILL');
  await collector?.stop();
  await sink?.close();
  await cp?.stop();
});

test('under exactly the RBAC `crotel rbac` prints it works; without one rule it says what is missing and serves the rest', async () => {
  const config = join(cp.dir, 'rbac.yaml');
  writeFileSync(config, `${readFileSync(REFERENCE, 'utf8')}
  - group: test.crotel.dev
    version: v1
    kind: Widget
`);
  await cp.raw('POST', '/apis/test.crotel.dev/v1/namespaces/default/widgets', { apiVersion: 'test.crotel.dev/v1', kind: 'Widget', metadata: { name: 'w1' }, status: { phase: 'Up' } });
  await createInstance(cp, 'default', 'rbac-db', spec, { phase: 'Running' });
  const manifests = parseObjects(cli('rbac', '--config', config, '--namespace', NS, '--leader-elect', '--kubeconfig', cp.kubeconfigPath));
  assert.deepEqual(manifests.map((m) => m.kind), ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
  await applyObjects(cp, manifests);
  const kubeconfig = cp.writeKubeconfig('crotel-sa', await serviceAccountToken(cp, NS, 'crotel'));
  const args = ['--config', config, '--kubeconfig', kubeconfig, '--leader-elect', '--leader-elect-namespace', NS];

  const full = await crotel(args);
  await waitFor('both resources served, lease held', async () => {
    const s = await series(full, 'database_instance_storage_gb', 'k8s_object_phase', 'crotel_leader');
    return [...s.keys()].some((k) => k.includes('rbac-db')) && [...s.keys()].some((k) => k.includes('"w1"')) && [...s].some(([k, v]) => k.startsWith('crotel_leader') && v === 1);
  }, 20_000);
  assert.equal((await full.get('/readyz')).status, 200);
  assert.doesNotMatch(full.output(), /forbidden/i);
  await full.stop();

  // Take widgets out of the ClusterRole.
  const role = manifests.find((m) => m.kind === 'ClusterRole')!;
  const rules = (role.rules as { resources: string[] }[]).map((r) => ({ ...r, resources: r.resources.filter((x) => x !== 'widgets') })).filter((r) => r.resources.length > 0);
  await applyObjects(cp, [{ ...role, rules }]);
  const partial = await crotel(args, {}, false);
  await waitFor('DatabaseInstance still served', async () => [...(await series(partial, 'database_instance_storage_gb')).keys()].some((k) => k.includes('rbac-db')), 20_000);
  await waitFor('the missing permission reported', async () => /cannot list resource \\?"widgets\\?" in API group \\?"test\.crotel\.dev\\?"/.test(partial.output()), 20_000);
  const ready = await partial.get('/readyz');
  assert.equal(ready.status, 503);
  assert.match(ready.body, /test\.crotel\.dev\/v1\/Widget.*forbidden/);
  const errors = await series(partial, 'crotel_reflector_errors_total');
  assert.ok([...errors].some(([k, v]) => k.includes('Widget') && k.includes('stage="list"') && v >= 1));
  await partial.stop();
});

test('two replicas with leader election: only the leader exports spans; on its death the other takes over the same trace', async () => {
  const args = ['--config', REFERENCE, '--kubeconfig', cp.kubeconfigPath, '--leader-elect', '--leader-elect-namespace', NS, '--leader-elect-name', 'crotel-ha', '--lease-duration', '3'];
  const a = await crotel(args, { OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=replica-a' });
  const b = await crotel(args, { OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=replica-b' });
  const leaderOf = async () => {
    const [la, lb] = [await series(a, 'crotel_leader'), await series(b, 'crotel_leader')];
    const isA = [...la.values()][0] === 1;
    const isB = [...lb.values()][0] === 1;
    return isA && !isB ? a : isB && !isA ? b : undefined;
  };
  await waitFor('exactly one leader', async () => (await leaderOf()) !== undefined, 15_000);
  const leader = (await leaderOf())!;
  const follower = leader === a ? b : a;
  const leaderId = leader === a ? 'replica-a' : 'replica-b';

  const uid = await createInstance(cp, 'default', 'ha-db', spec);
  await sleep(200);
  await setStatus(cp, 'default', 'ha-db', { phase: 'Pending' });
  await sleep(300);
  await setStatus(cp, 'default', 'ha-db', { phase: 'Provisioning' });
  const mine = () => sink.spansWithResource().filter((s) => attributesOf(s.span.attributes)['k8s.object.uid'] === uid);
  await waitFor('phase Pending from the leader', async () => mine().some((s) => s.span.name === 'phase Pending'), 10_000);
  await sleep(1500);
  assert.deepEqual(new Set(mine().map((s) => s.resource['service.instance.id'])), new Set([leaderId]), 'only the leader exports');

  await leader.stop('SIGKILL');
  const killedAt = Date.now();
  await waitFor('the follower takes over', async () => [...(await series(follower, 'crotel_leader')).values()][0] === 1, 15_000);
  const takeover = Date.now() - killedAt;
  assert.ok(takeover < 3000 + 2000 + 2000, `took over in ${takeover} ms (lease 3 s + retry period)`);

  await setStatus(cp, 'default', 'ha-db', { phase: 'Running' });
  await waitFor('the episode root from the new leader', async () => mine().some((s) => s.span.name === 'reconcile DatabaseInstance'), 15_000);
  await sleep(500);
  const spans = mine();
  assert.equal(new Set(spans.map((s) => s.span.traceId)).size, 1, 'still one trace');
  assert.equal(new Set(spans.map((s) => s.span.spanId)).size, spans.length, 'no span twice');
  assert.deepEqual(spans.map((s) => s.span.name).sort(), ['phase Pending', 'phase Provisioning', 'reconcile DatabaseInstance']);
  await follower.stop();
});

test('SIGTERM during load exits 0 within the grace period with buffered spans flushed', async () => {
  const p = await crotel(['--config', REFERENCE, '--kubeconfig', cp.kubeconfigPath, '--shutdown-timeout', '10']);
  const names = Array.from({ length: 30 }, (_, i) => `load-${i}`);
  const uids = await Promise.all(names.map((n) => createInstance(cp, 'default', n, spec)));
  await Promise.all(names.map((n) => setStatus(cp, 'default', n, { phase: 'Pending' })));
  await Promise.all(names.map((n) => setStatus(cp, 'default', n, { phase: 'Running' })));
  // Stop as soon as crotel has seen every transition: the last spans are still in its queue.
  await waitFor('all Running on /metrics', async () => {
    const phase = await series(p, 'database_instance_phase');
    return names.every((n) => [...phase].some(([k, v]) => k.includes(`"${n}"`) && v === 1));
  }, 20_000);
  const started = Date.now();
  const code = await p.stop('SIGTERM');
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 10_000, 'within the grace period');
  // crotel has handed everything to the Collector before exiting; the Collector forwards in batches.
  const missing = () => {
    const roots = new Set(sink.spans().filter((s) => s.name === 'reconcile DatabaseInstance').map((s) => attributesOf(s.attributes)['k8s.object.uid']));
    return uids.filter((u) => !roots.has(u));
  };
  await waitFor('every finished episode through the Collector', async () => missing().length === 0, 5_000).catch(() => {});
  assert.deepEqual(missing(), [], 'every finished episode reached the Collector');
});

test('two shards together expose exactly the series of one unsharded process', async () => {
  await Promise.all(Array.from({ length: 20 }, (_, i) => createInstance(cp, 'default', `shard-${i}`, spec, { phase: i % 2 ? 'Running' : 'Pending' })));
  const config = join(root, 'deploy/base/crotel.yaml'); // generic metrics: several families per object
  const base = ['--config', config, '--kubeconfig', cp.kubeconfigPath];
  const [all, s0, s1] = [await crotel(base), await crotel([...base, '--shard', '0', '--total-shards', '2']), await crotel([...base, '--shard', '1', '--total-shards', '2'])];
  const objectSeries = async (p: CrotelProcess) => pick(parseExposition(await p.scrape()), 'k8s_object_');
  await waitFor('every process synced', async () => (await objectSeries(all)).size > 0, 10_000);
  const [a, x, y] = [await objectSeries(all), await objectSeries(s0), await objectSeries(s1)];
  assert.ok(x.size > 0 && y.size > 0, 'both shards own objects');
  assert.equal([...x.keys()].filter((k) => y.has(k)).length, 0, 'shards are disjoint');
  assert.deepEqual(new Map([...x, ...y].sort()), new Map([...a].sort()));
  for (const p of [all, s0, s1]) await p.stop();
});

test('deploy/: RBAC is exactly `crotel rbac` output, and the kustomize base passes a server-side dry run', async () => {
  // A server-side dry run creates nothing, so the namespace the objects go into must exist.
  await ensureNamespace(cp, 'monitoring');
  assert.equal(readFileSync(join(root, 'deploy/base/rbac.yaml'), 'utf8'), cli('rbac', '--config', 'deploy/base/crotel.yaml', '--leader-elect'));
  const r = spawnSync(binaryPath('kubectl'), ['--kubeconfig', cp.kubeconfigPath, 'apply', '--dry-run=server', '-k', join(root, 'deploy/base')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /deployment\.apps\/crotel created \(server dry run\)/);
});
