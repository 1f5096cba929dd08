// Zero config against a real apiserver: `crotel run` with no config on a control plane holding
// real operators' CRDs (test/fixtures/operators) and our own (test/fixtures/zero-config), run as
// a service account whose RBAC is `crotel rbac --from-cluster` output. Then, while it runs: a
// CRD is installed (watched within seconds), another one in a group the RBAC does not grant
// (failing on /readyz and in self-metrics, the others served), a served version is added and
// removed (the watch follows the preferred version), a CRD is deleted (its series leave). The
// excluded group is checked against the apiserver's own request counters: never listed nor
// watched. A second crotel with a per-kind object cap drops and counts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { applyObjects, parseObjects, serviceAccountToken } from '../harness/apply.ts';
import { binaryPath } from '../../harness/binaries.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { applyCrds, ensureNamespace } from '../../harness/kube.ts';
import { waitFor } from '../../harness/processes.ts';
import { parseExposition, pick, type SeriesMap } from '../../harness/prom-text.ts';
import { createObjects, pluralsOf } from './ksm-support.ts';

const root = new URL('../../', import.meta.url).pathname;
const BIN = join(root, 'bin/crotel.js');
const operator = (p: string): string => join(root, 'test/fixtures/operators', p);
const OWN_CRDS = join(root, 'test/fixtures/zero-config/crds.yaml');
const LATER_CRDS = join(root, 'test/fixtures/zero-config/later-crds.yaml');
const OPERATOR_CRDS = [
  operator('flux-kustomization/crd-kustomizations.kustomize.toolkit.fluxcd.io.yaml'),
  operator('flux-gitrepository/crd-gitrepositories.source.toolkit.fluxcd.io.yaml'),
  operator('cloudnative-pg/crd-clusters.postgresql.cnpg.io.yaml'),
  operator('prometheus-operator/crd-prometheuses.monitoring.coreos.com.yaml'),
];
const OPERATOR_OBJECTS = [
  ...['kustomization-ready', 'kustomization-progressing', 'kustomization-failed-retrying', 'kustomization-source-not-found'].map((f) => operator(`flux-kustomization/${f}.yaml`)),
  ...['gitrepository-ready', 'gitrepository-fetchfailed-retrying', 'gitrepositories-ready-failed-unknown'].map((f) => operator(`flux-gitrepository/${f}.yaml`)),
  ...['cluster-healthy', 'cluster-setting-up-primary', 'cluster-failing-over', 'cluster-hibernated'].map((f) => operator(`cloudnative-pg/${f}.yaml`)),
  ...['prometheus-available-sharded', 'prometheus-degraded-scheduling', 'prometheus-unavailable-kube-prom-stack'].map((f) => operator(`prometheus-operator/${f}.yaml`)),
];
const NS = 'zc';
const GIZMOS = `/apis/zc.example.com/v1/namespaces/${NS}/gizmos`;
const GADGETS = '/apis/zc.example.com/v1beta1/gadgets';
const POLICY_REPORTS = `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${NS}/policyreports`;
const SPROCKETS = `/apis/later.example.com/v1/namespaces/${NS}/sprockets`;
const GIZMO_CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.zc.example.com';

let cp: ControlPlane;
let saKubeconfig: string;
/** The apiserver's request counts once setup is done (the harness itself lists while applying CRDs). */
let requestsAtStart: Requests;
let zc: CrotelProcess;
const running: CrotelProcess[] = [];

type Obj = Record<string, unknown>;

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function call(method: string, path: string, body?: unknown, expect = [200, 201]): Promise<Obj> {
  const res = await cp.raw(method, path, body);
  assert.ok(expect.includes(res.status), `${method} ${path}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as Obj;
}

/** Creates a custom resource, then writes its status through the status subresource (as a controller would). */
async function createWithStatus(collection: string, name: string, spec: Obj, status: Obj | undefined, kind: string, apiVersion: string): Promise<void> {
  await call('POST', collection, { apiVersion, kind, metadata: { name }, spec });
  if (status) await call('PATCH', `${collection}/${name}/status`, { status });
}

const ready = (status: 'True' | 'False' | 'Unknown', reason: string): Obj => ({
  conditions: [{ type: 'Ready', status, reason, message: reason, lastTransitionTime: '2026-01-01T00:00:00Z' }],
});

async function series(p: CrotelProcess, ...prefixes: string[]): Promise<SeriesMap> {
  return pick(parseExposition(await p.scrape()), ...prefixes);
}

/** namespace/name of every object with a health series of value 1, for one kind. */
function healthyObjects(s: SeriesMap, kind: string): string[] {
  const out: string[] = [];
  for (const [key, value] of s) {
    if (!key.startsWith('k8s_object_health{') || value !== 1 || !key.includes(`k8s_object_kind="${kind}"`)) continue;
    const ns = /k8s_namespace_name="([^"]*)"/.exec(key)?.[1] ?? '';
    out.push(`${ns}/${/k8s_object_name="([^"]*)"/.exec(key)![1]}`);
  }
  return out.sort();
}

/** The value of one self-metric series whose labels include all of `labels`, or undefined. */
function selfValue(s: SeriesMap, name: string, labels: Record<string, string>): number | undefined {
  for (const [key, value] of s) {
    if (!key.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}=${JSON.stringify(v)}`))) return value;
  }
  return undefined;
}

/** The apiserver's apiserver_request_total, summed by group/resource/verb. */
type Requests = Map<string, number>;

async function apiserverRequests(): Promise<Requests> {
  const res = await cp.raw('GET', '/metrics');
  assert.equal(res.status, 200);
  const out: Requests = new Map();
  for (const line of res.body.split('\n')) {
    if (!line.startsWith('apiserver_request_total{') && !line.startsWith('apiserver_longrunning_requests{')) continue;
    const label = (k: string): string => new RegExp(`[{,]${k}="([^"]*)"`).exec(line)?.[1] ?? '';
    const metric = line.startsWith('apiserver_request_total') ? 'total' : 'open';
    const key = `${metric} ${label('group')}/${label('resource')} ${label('verb')}`;
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

const count = (r: Requests, key: string): number => r.get(key) ?? 0;

/** Every custom object of the cluster's served custom resource kinds, as crotel render reads them. */
async function clusterObjects(kinds: readonly { group: string; version: string; plural: string }[]): Promise<Obj[]> {
  const out: Obj[] = [];
  for (const k of kinds) {
    const list = await call('GET', `/apis/${k.group}/${k.version}/${k.plural}`);
    const kind = (list.kind as string).replace(/List$/, '');
    for (const item of list.items as Obj[]) out.push({ ...item, apiVersion: `${k.group}/${k.version}`, kind });
  }
  return out;
}

before(async () => {
  cp = await startControlPlane();
  for (const ns of [NS, 'monitoring']) await ensureNamespace(cp, ns);
  for (const file of [...OPERATOR_CRDS, OWN_CRDS]) await applyCrds(cp, file);
  await createObjects(cp, pluralsOf(OPERATOR_CRDS), OPERATOR_OBJECTS);
  await createWithStatus(GIZMOS, 'gizmo-ok', { size: 1 }, ready('True', 'Done'), 'Gizmo', 'zc.example.com/v1');
  await createWithStatus(GIZMOS, 'gizmo-broken', { size: 2 }, ready('False', 'Broken'), 'Gizmo', 'zc.example.com/v1');
  await createWithStatus(GIZMOS, 'gizmo-new', { size: 3 }, undefined, 'Gizmo', 'zc.example.com/v1');
  await createWithStatus(GADGETS, 'gadget-a', {}, ready('True', 'Done'), 'Gadget', 'zc.example.com/v1beta1');
  await createWithStatus(GADGETS, 'gadget-b', {}, { phase: 'Pending' }, 'Gadget', 'zc.example.com/v1beta1');
  for (let i = 0; i < 3; i++) await call('POST', POLICY_REPORTS, { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { name: `report-${i}` }, results: [] });

  // RBAC as a user would make it for this cluster: the kinds crotel selects now, by name.
  const rbac = cli('rbac', '--from-cluster', '--kubeconfig', cp.kubeconfigPath, '--namespace', 'monitoring');
  assert.doesNotMatch(rbac, /wgpolicyk8s|locked\.example\.com|"\*"/, 'RBAC from the cluster names kinds, not wildcards or excluded groups');
  await applyObjects(cp, parseObjects(rbac));
  saKubeconfig = cp.writeKubeconfig('crotel-sa', await serviceAccountToken(cp, 'monitoring', 'crotel'));
  requestsAtStart = await apiserverRequests();
});

after(async () => {
  // CROTEL_TEST_KEEP=DIR keeps each crotel's log and last scrape there, to see what a failure saw.
  const keep = process.env.CROTEL_TEST_KEEP;
  if (keep) {
    for (const [i, p] of running.entries()) {
      writeFileSync(join(keep, `zero-config-crotel-${i}.log`), p.output());
      writeFileSync(join(keep, `zero-config-crotel-${i}.prom`), await p.scrape().catch(String));
    }
  }
  for (const p of running) await p.stop('SIGKILL');
  await cp?.stop();
});

test('no config: every served kind known at start, with the generic families and health; excluded and unserved kinds are not watched', async () => {
  const started = Date.now();
  zc = await startCrotel({ args: ['--kubeconfig', saKubeconfig] });
  running.push(zc);
  process.stdout.write(`# zero config: start → ready in ${Date.now() - started} ms\n`);
  const readyz = await zc.get('/readyz');
  assert.equal(readyz.body, 'ok\n');
  assert.match(zc.output(), /no --config: zero config/);
  assert.match(zc.output(), /"kinds":6,"msg":"kinds discovered from CustomResourceDefinitions"/);

  const s = await series(zc, 'k8s_object_', 'crotel_');
  assert.deepEqual(healthyObjects(s, 'Gizmo'), ['zc/gizmo-broken', 'zc/gizmo-new', 'zc/gizmo-ok']);
  assert.deepEqual(healthyObjects(s, 'Gadget'), ['/gadget-a', '/gadget-b']);
  assert.equal(healthyObjects(s, 'Kustomization').length, 4);
  assert.equal(healthyObjects(s, 'GitRepository').length, 5);
  assert.equal(healthyObjects(s, 'Cluster').length, 4);
  assert.equal(healthyObjects(s, 'Prometheus').length, 3);
  assert.ok(![...s.keys()].some((k) => /PolicyReport|Relic|wgpolicyk8s/.test(k)), 'nothing of the excluded or unserved kinds');
  // Health comes from the catalog where it has rules (Flux, CloudNativePG, Prometheus): not one verdict for all.
  const verdicts = new Set([...s].filter(([k, v]) => k.startsWith('k8s_object_health{') && v === 1).map(([k]) => /k8s_object_health="([^"]+)"/.exec(k)![1]));
  assert.ok(verdicts.size >= 3, `several health states: ${[...verdicts].join(', ')}`);

  // Exactly what `crotel render` (zero config too) makes of the same objects read from the apiserver.
  const objects = await clusterObjects([
    { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
    { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
    { group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters' },
    { group: 'monitoring.coreos.com', version: 'v1', plural: 'prometheuses' },
    { group: 'zc.example.com', version: 'v1', plural: 'gizmos' },
    { group: 'zc.example.com', version: 'v1beta1', plural: 'gadgets' },
  ]);
  const file = join(cp.dir, 'objects.json');
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const rendered = pick(parseExposition(cli('render', '-f', file)), 'k8s_object_');
  assert.deepEqual(new Map([...pick(s, 'k8s_object_')].sort()), new Map([...rendered].sort()));
});

test('a CRD installed later is watched within seconds; a kind the RBAC forbids is reported while the others are served', async () => {
  // The operator's RBAC for crotel arrives with its CRD (the Vault's group gets none).
  await applyObjects(cp, [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'crotel-sprockets' }, rules: [{ apiGroups: ['later.example.com'], resources: ['sprockets'], verbs: ['get', 'list', 'watch'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crotel-sprockets' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'crotel-sprockets' },
      subjects: [{ kind: 'ServiceAccount', name: 'crotel', namespace: 'monitoring' }],
    },
  ]);
  const installed = Date.now();
  await applyCrds(cp, LATER_CRDS);
  await createWithStatus(SPROCKETS, 'sprocket-1', {}, ready('True', 'Done'), 'Sprocket', 'later.example.com/v1');
  await waitFor('the Sprocket on /metrics', async () => healthyObjects(await series(zc, 'k8s_object_health'), 'Sprocket').length === 1, 10_000, 50);
  const seconds = (Date.now() - installed) / 1000;
  process.stdout.write(`# zero config: CRD created → its object's health on /metrics in ${seconds.toFixed(2)} s\n`);
  assert.ok(seconds < 10, `watched within seconds (${seconds} s)`);
  assert.match(zc.output(), /"resource":"later\.example\.com\/v1\/Sprocket","msg":"new kind discovered: watching it"/);

  await waitFor('the Vault failing on /readyz', async () => /failing:\n- locked\.example\.com\/v1\/Vault: .*forbidden/i.test((await zc.get('/readyz')).body), 10_000);
  const readyz = await zc.get('/readyz');
  assert.equal(readyz.status, 200, 'kinds added later do not gate readiness');
  assert.doesNotMatch(readyz.body, /Sprocket|Gizmo/, 'only the forbidden kind fails');
  const self = await series(zc, 'crotel_');
  assert.ok((selfValue(self, 'crotel_reflector_errors_total', { crotel_resource: 'locked.example.com/v1/Vault', stage: 'list' }) ?? 0) >= 1, 'list errors counted for the Vault');
  assert.equal(selfValue(self, 'crotel_resource_synced', { crotel_resource: 'locked.example.com/v1/Vault' }), 0);
  assert.equal(selfValue(self, 'crotel_resource_synced', { crotel_resource: 'later.example.com/v1/Sprocket' }), 1);

  // The others keep being served: a new Gizmo shows up.
  await createWithStatus(GIZMOS, 'gizmo-after', {}, ready('True', 'Done'), 'Gizmo', 'zc.example.com/v1');
  await waitFor('gizmo-after on /metrics', async () => healthyObjects(await series(zc, 'k8s_object_health'), 'Gizmo').includes('zc/gizmo-after'), 10_000, 50);
});

test('a kind known at start that is forbidden holds readiness back, named on /readyz, while the others are served', async () => {
  // Readiness means every kind known at start has synced once: the Vault (no RBAC) never does.
  const late = await startCrotel({ args: ['--kubeconfig', saKubeconfig], waitReady: false });
  try {
    await waitFor('the other kinds served', async () => healthyObjects(await series(late, 'k8s_object_health'), 'Sprocket').length === 1
      && healthyObjects(await series(late, 'k8s_object_health'), 'Gizmo').length === 4, 15_000, 100);
    await waitFor('the Vault named', async () => /not synced:\n- locked\.example\.com\/v1\/Vault \(backoff: .*forbidden/.test((await late.get('/readyz')).body), 10_000);
    const readyz = await late.get('/readyz');
    assert.equal(readyz.status, 503);
    assert.doesNotMatch(readyz.body, /Gizmo|Sprocket|Kustomization/);
  } finally {
    await late.stop();
  }
});

test('a served version added moves the kind to it (the preferred one); unserving it moves back; the series never leave', async () => {
  const crd = await call('GET', GIZMO_CRD);
  const v1 = (crd.spec as { versions: Obj[] }).versions[0]!;
  const gizmos = async () => healthyObjects(await series(zc, 'k8s_object_health'), 'Gizmo');
  const held = await gizmos();
  assert.equal(held.length, 4);
  const synced = async (version: string) => selfValue(await series(zc, 'crotel_resource_synced'), 'crotel_resource_synced', { crotel_resource: `zc.example.com/${version}/Gizmo` });
  // Every scrape while the watch moves holds every Gizmo.
  const follow = async (version: string, gone: string): Promise<void> => {
    await waitFor(`Gizmo watched at ${version}`, async () => {
      assert.deepEqual(await gizmos(), held);
      return (await synced(version)) === 1 && (await synced(gone)) === undefined;
    }, 15_000, 50);
  };

  await call('PATCH', GIZMO_CRD, { spec: { versions: [v1, { ...v1, name: 'v2', storage: false }] } });
  await follow('v2', 'v1');
  assert.match(zc.output(), /"resource":"zc\.example\.com\/v2\/Gizmo","from":"v1","to":"v2","msg":"kind moved to another preferred version/);
  // An object written now, read through v2, is served too.
  await call('PATCH', `${GIZMOS.replace('/v1/', '/v2/')}/gizmo-new/status`, { status: ready('True', 'Done') });
  await waitFor('gizmo-new current through v2', async () => {
    const s = await series(zc, 'k8s_object_health');
    return selfValue(s, 'k8s_object_health', { k8s_object_name: 'gizmo-new', k8s_object_health: 'current' }) === 1;
  }, 10_000, 50);

  await call('PATCH', GIZMO_CRD, { spec: { versions: [v1, { ...v1, name: 'v2', storage: false, served: false }] } });
  await follow('v1', 'v2');
});

test('a deleted CRD stops its watch; its series and its self-metric gauges leave /metrics', async () => {
  await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.zc.example.com');
  await waitFor('no Gadget series', async () => {
    const s = await series(zc, 'k8s_object_', 'crotel_objects{', 'crotel_resource_synced', 'crotel_watch_up');
    return ![...s.keys()].some((k) => k.includes('Gadget'));
  }, 15_000, 50);
  assert.match(zc.output(), /"resource":"zc\.example\.com\/v1beta1\/Gadget","msg":"kind no longer served/);
  // The others are untouched.
  assert.equal(healthyObjects(await series(zc, 'k8s_object_health'), 'Gizmo').length, 4);
  assert.equal((await zc.get('/readyz')).status, 200);
});

test('the excluded and the unserved kinds were never listed nor watched (the apiserver\'s own request counts)', async () => {
  const now = await apiserverRequests();
  for (const resource of ['wgpolicyk8s.io/policyreports', 'zc.example.com/relics']) {
    for (const verb of ['LIST', 'WATCH']) {
      assert.equal(count(now, `total ${resource} ${verb}`), count(requestsAtStart, `total ${resource} ${verb}`), `${verb} ${resource}`);
      assert.equal(count(now, `open ${resource} ${verb}`), 0, `open ${verb} ${resource}`);
    }
  }
  // The same counters do see crotel's lists and watches of the kinds it serves.
  assert.ok(count(now, 'total zc.example.com/gizmos LIST') >= count(requestsAtStart, 'total zc.example.com/gizmos LIST') + 3, 'Gizmo listed at v1, v2 and v1 again');
  assert.ok(count(now, 'open kustomize.toolkit.fluxcd.io/kustomizations WATCH') >= 1, 'Kustomizations watched now');
  const self = await series(zc, 'crotel_');
  assert.ok(![...self.keys()].some((k) => /wgpolicyk8s|Relic/.test(k)), 'no self-metric names an excluded kind');
});

test('a per-kind object cap: the kind\'s extra objects are dropped and counted, the others held whole', async () => {
  for (let i = 0; i < 4; i++) await createWithStatus(GIZMOS, `gizmo-extra-${i}`, {}, ready('True', 'Done'), 'Gizmo', 'zc.example.com/v1');
  const config = join(cp.dir, 'capped.yaml');
  writeFileSync(config, 'resources:\n  - group: "*"\nlimits:\n  objectsPerKind: 5\n');
  const capped = await startCrotel({ args: ['--config', config, '--kubeconfig', cp.kubeconfigPath] });
  running.push(capped);
  const s = await series(capped, 'k8s_object_health', 'crotel_');
  assert.equal(healthyObjects(s, 'Gizmo').length, 5, '8 Gizmos, 5 held');
  assert.equal(selfValue(s, 'crotel_objects', { crotel_resource: 'zc.example.com/v1/Gizmo' }), 5);
  assert.equal(selfValue(s, 'crotel_objects_dropped_total', { crotel_resource: 'zc.example.com/v1/Gizmo', reason: 'kind_limit' }), 3);
  assert.equal(healthyObjects(s, 'GitRepository').length, 5, 'at the cap, nothing dropped');
  assert.equal(healthyObjects(s, 'Kustomization').length, 4);
  assert.equal(selfValue(s, 'crotel_objects_dropped_total', { crotel_resource: 'source.toolkit.fluxcd.io/v1/GitRepository' }), undefined);
  assert.match(capped.output(), /"resource":"zc\.example\.com\/v1\/Gizmo","kind":"Gizmo","group":"zc\.example\.com","reason":"kind_limit","dropped":1,"kindObjects":5,"totalObjects":\d+,"msg":"object limit reached: new Gizmo objects dropped"/);

  // A delete of a held Gizmo makes room: the next new one is held.
  const victim = healthyObjects(s, 'Gizmo')[0]!.split('/')[1]!;
  await call('DELETE', `${GIZMOS}/${victim}`);
  await waitFor(`${victim} gone`, async () => !healthyObjects(await series(capped, 'k8s_object_health'), 'Gizmo').includes(`zc/${victim}`), 10_000, 50);
  await call('POST', GIZMOS, { apiVersion: 'zc.example.com/v1', kind: 'Gizmo', metadata: { name: 'gizmo-late' }, spec: {} });
  await waitFor('gizmo-late held in the freed place', async () => healthyObjects(await series(capped, 'k8s_object_health'), 'Gizmo').includes('zc/gizmo-late'), 10_000, 50);
  assert.equal(healthyObjects(await series(capped, 'k8s_object_health'), 'Gizmo').length, 5);
});

test('deploy/overlays/zero-config: the base with no config and the RBAC `crotel rbac` prints for zero config; a server-side dry run', async () => {
  await ensureNamespace(cp, 'monitoring');
  const kubectl = binaryPath('kubectl');
  const overlay = join(root, 'deploy/overlays/zero-config');
  const rendered = spawnSync(kubectl, ['kustomize', overlay], { encoding: 'utf8' });
  assert.equal(rendered.status, 0, rendered.stderr);
  const objects = parseObjects(rendered.stdout);
  assert.ok(!objects.some((o) => o.kind === 'ConfigMap'), 'no config ConfigMap');
  const pod = (objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { volumes?: unknown; containers: { args: string[]; volumeMounts?: unknown; resources: { limits: { memory: string } } }[] } } } }).spec.template.spec;
  assert.deepEqual(pod.containers[0]!.args, ['run', '--leader-elect', '--shutdown-timeout=15']);
  assert.equal(pod.containers[0]!.resources.limits.memory, '2Gi', 'room for the default object limit (README "Zero config", Cost)');
  assert.equal(pod.volumes, undefined);
  assert.equal(pod.containers[0]!.volumeMounts, undefined);
  // RBAC: exactly what `crotel rbac` prints with no config (kustomize only adds labels).
  const grants = (list: readonly Obj[]) => list
    .filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind as string))
    .map(({ kind, metadata, rules, roleRef, subjects }) => ({ kind, name: (metadata as { name: string }).name, namespace: (metadata as { namespace?: string }).namespace, rules, roleRef, subjects }))
    .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  assert.deepEqual(grants(objects), grants(parseObjects(cli('rbac', '--leader-elect'))));
  assert.deepEqual((objects.find((o) => o.kind === 'ClusterRole')!.rules as { apiGroups: string[] }[]).map((r) => r.apiGroups), [['apiextensions.k8s.io'], ['*'], ['']]);
  const r = spawnSync(kubectl, ['--kubeconfig', cp.kubeconfigPath, 'apply', '--dry-run=server', '-k', overlay], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /deployment\.apps\/crotel created \(server dry run\)/);
  assert.match(r.stdout, /clusterrole\.rbac\.authorization\.k8s\.io\/crotel (created|configured) \(server dry run\)/);
});
