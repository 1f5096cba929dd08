// Zero config with fakes: CRD changes → host add / replace / remove, object limits (per kind and
// in total) in front of a real ResourceStore, offline selection for render, wildcard RBAC.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText, ZERO_CONFIG_TEXT, type Config } from '../../src/config/index.ts';
import { readCrd, type CrdKind } from '../../src/discovery/crds.ts';
import { CrdCatalog, KindReconciler, type KindsHost } from '../../src/discovery/kinds.ts';
import { selectedFromObjects } from '../../src/discovery/offline.ts';
import { compileResource } from '../../src/extract/index.ts';
import type { CompiledResource } from '../../src/model.ts';
import { rbacFor, rbacNotes, toYaml } from '../../src/rbac.ts';
import { ObjectBudget, SeriesBudget } from '../../src/state/budget.ts';
import { CappedSink } from '../../src/state/capped-sink.ts';
import { ResourceStore } from '../../src/state/store.ts';

function crd(group: string, kind: string, versions: [string, boolean][], established = true): Record<string, unknown> {
  const plural = `${kind.toLowerCase()}s`;
  return {
    metadata: { name: `${plural}.${group}` },
    spec: { group, scope: 'Namespaced', names: { kind, plural }, versions: versions.map(([name, served], i) => ({ name, served, storage: i === 0 })) },
    status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False' }] },
  };
}

class FakeHost implements KindsHost {
  readonly log: string[] = [];
  add(resource: CompiledResource, options: { gatesReadiness: boolean }): void {
    this.log.push(`add ${resource.id}${options.gatesReadiness ? ' (gates)' : ''}`);
  }
  async replace(previousId: string, resource: CompiledResource): Promise<void> {
    this.log.push(`replace ${previousId} -> ${resource.id}`);
  }
  async remove(id: string): Promise<void> {
    this.log.push(`remove ${id}`);
  }
}

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function setup(configText = ZERO_CONFIG_TEXT) {
  const config = parseConfigText(configText, 'x.yaml');
  const host = new FakeHost();
  const compiled: string[] = [];
  const reconciler = new KindReconciler({
    discovery: config.discovery!, configured: new Set(config.resources.map((r) => `${r.group}/${r.kind}`)), host, logger: quiet,
    compile: (entry) => {
      assert.deepEqual([entry.metrics, entry.labels, entry.generic], [[], [], true], 'a plain entry: generic families only');
      compiled.push(`${entry.group}/${entry.version}/${entry.kind}`);
      return compileResource(entry, { seriesPerMetric: 1000 });
    },
  });
  const catalog = new CrdCatalog((crds, first) => reconciler.apply(crds, first));
  return { host, reconciler, catalog, compiled };
}

test('CRDs listed, then changed: kinds added (known at start gate readiness), moved, removed', async () => {
  const { host, reconciler, catalog } = setup();
  catalog.beginList();
  catalog.listPage([crd('a.io', 'A', [['v1', true]]), crd('wgpolicyk8s.io', 'PolicyReport', [['v1alpha2', true]])]);
  catalog.listPage([crd('b.io', 'B', [['v1beta1', true]]), { not: 'a crd' }]);
  assert.deepEqual(host.log, [], 'nothing before the list is complete');
  catalog.endList();
  await reconciler.settled();
  assert.deepEqual(host.log, ['add a.io/v1/A (gates)', 'add b.io/v1beta1/B (gates)']);
  assert.ok(reconciler.startKindsAdded);

  host.log.length = 0;
  catalog.upsert(crd('c.io', 'C', [['v1', true]], false)); // not Established yet
  catalog.upsert(crd('c.io', 'C', [['v1', true]]));
  catalog.upsert(crd('b.io', 'B', [['v1beta1', true], ['v1', true]])); // a new served version, preferred
  catalog.upsert(crd('a.io', 'A', [['v1', true]])); // unchanged
  catalog.remove(crd('a.io', 'A', [['v1', true]]));
  await reconciler.settled();
  assert.deepEqual(host.log, ['add c.io/v1/C', 'replace b.io/v1beta1/B -> b.io/v1/B', 'remove a.io/v1/A']);
  assert.deepEqual(Object.fromEntries(reconciler.watching()), { 'b.io/B': 'v1', 'c.io/C': 'v1' });

  host.log.length = 0;
  catalog.upsert(crd('c.io', 'C', [['v1', false]])); // unserved: like deleted
  await reconciler.settled();
  assert.deepEqual(host.log, ['remove c.io/v1/C']);

  // A relist that misses a CRD (deleted while the watch was down) removes its kind too.
  host.log.length = 0;
  catalog.beginList();
  catalog.listPage([]);
  catalog.endList();
  await reconciler.settled();
  assert.deepEqual(host.log, ['remove b.io/v1/B']);
});

test('a kind the config names concretely is not discovered a second time', async () => {
  const { host, reconciler, catalog } = setup('resources:\n  - {group: a.io, version: v1, kind: A}\n  - {group: "*"}\n');
  catalog.beginList();
  catalog.listPage([crd('a.io', 'A', [['v1', true]]), crd('a.io', 'Other', [['v1', true]])]);
  catalog.endList();
  await reconciler.settled();
  assert.deepEqual(host.log, ['add a.io/v1/Other (gates)']);
});

test('a failing host step is logged and later changes still apply', async () => {
  const config = parseConfigText(ZERO_CONFIG_TEXT, 'x');
  const errors: string[] = [];
  const applied: string[] = [];
  const reconciler = new KindReconciler({
    discovery: config.discovery!, configured: new Set(), logger: { ...quiet, error: (o: unknown) => errors.push(JSON.stringify(o)) },
    compile: (entry) => compileResource(entry, { seriesPerMetric: 10 }),
    host: {
      add: (r) => {
        if (r.ref.kind === 'Bad') throw new Error('boom');
        applied.push(r.id);
      },
      replace: async () => {},
      remove: async () => {},
    },
  });
  reconciler.apply([readCrd(crd('x.io', 'Bad', [['v1', true]]))!, readCrd(crd('x.io', 'Good', [['v1', true]]))!] as CrdKind[], true);
  await reconciler.settled();
  assert.deepEqual(applied, ['x.io/v1/Good']);
  assert.equal(errors.length, 1);
});

function object(uid: string, rv = '1'): unknown {
  return { metadata: { uid, name: uid, namespace: 'ns', resourceVersion: rv }, status: { phase: 'Running' } };
}

function cappedStore(budget: ObjectBudget, kind: string, dropped: string[], owns?: (uid: string) => boolean) {
  const resource = compileResource({ group: 'a.io', version: 'v1', kind, namespaces: [], generic: true, labels: [], health: { successPhases: [], failurePhases: [] }, metrics: [] }, { seriesPerMetric: 1000 });
  const changes: string[] = [];
  const store = new ResourceStore(resource, new SeriesBudget(() => {}), { changed: (_r, p, n) => changes.push(`${p ? 'update' : 'add'}${n ? '' : ' delete'}`) });
  const sink = new CappedSink({ store, budget, kind, dropped: (reason) => dropped.push(`${kind}:${reason}`), ...(owns ? { owns } : {}) });
  return { store, sink, changes };
}

test('object limits: a kind past its cap drops and counts new objects; held ones update; deletes make room', () => {
  const budget = new ObjectBudget({ perKind: 3, total: 5 });
  const dropped: string[] = [];
  const a = cappedStore(budget, 'A', dropped);
  a.sink.beginList();
  a.sink.listPage([object('a1'), object('a2'), object('a3'), object('a4'), object('a5')]);
  a.sink.endList();
  assert.deepEqual([...a.store.entries.keys()], ['a1', 'a2', 'a3']);
  assert.deepEqual(dropped, ['A:kind_limit', 'A:kind_limit']);
  assert.equal(budget.usage('A'), 3);

  a.sink.upsert(object('a1', '2')); // held: updates always pass
  assert.equal(a.store.entries.get('a1')?.resourceVersion, '2');
  a.sink.upsert(object('a6'));
  assert.equal(dropped.length, 3);
  a.sink.remove(object('a2'));
  a.sink.upsert(object('a6'));
  assert.ok(a.store.entries.has('a6'));
  assert.equal(budget.usage('A'), 3);

  // The total: B may take only what is left of 5.
  const b = cappedStore(budget, 'B', dropped);
  for (const uid of ['b1', 'b2', 'b3']) b.sink.upsert(object(uid));
  assert.deepEqual([...b.store.entries.keys()], ['b1', 'b2']);
  assert.equal(dropped.at(-1), 'B:total_limit');
  assert.equal(budget.usage(), 5);

  // A relist that no longer holds a3 gives its place back.
  a.sink.beginList();
  a.sink.listPage([object('a1', '2'), object('a6')]);
  a.sink.endList();
  assert.equal(budget.usage('A'), 2);
  assert.equal(budget.usage(), 4);
  // Stopping a kind gives back all it held.
  b.sink.release();
  assert.equal(budget.usage(), 2);
  // Dropped objects never reached the store's change hook (no lifecycle for them).
  assert.ok(!a.changes.includes('add delete'));
});

test('object limits: another shard\'s objects are not counted as dropped', () => {
  const budget = new ObjectBudget({ perKind: 1 });
  const dropped: string[] = [];
  const s = cappedStore(budget, 'A', dropped, (uid) => uid !== 'theirs');
  s.sink.upsert(object('mine'));
  s.sink.upsert(object('theirs'));
  assert.deepEqual(dropped, []);
  s.sink.upsert(object('mine2'));
  assert.deepEqual(dropped, ['A:kind_limit']);
});

test('offline selection: kinds from the objects, custom groups only, exclusions and concrete entries respected', () => {
  const config: Config = parseConfigText('resources:\n  - {group: a.io, version: v1, kind: A}\n  - {group: "*"}\n', 'x');
  const objects = [
    { apiVersion: 'a.io/v1', kind: 'A' }, { apiVersion: 'a.io/v1', kind: 'B' }, { apiVersion: 'a.io/v2', kind: 'B' },
    { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport' }, { apiVersion: 'apps/v1', kind: 'Deployment' },
    { apiVersion: 'v1', kind: 'Pod' }, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }, { kind: 'NoVersion' },
  ];
  assert.deepEqual(selectedFromObjects(config, objects).map((r) => r.id), ['a.io/v1/B', 'a.io/v2/B']);
  assert.deepEqual(selectedFromObjects(parseConfigText('resources: [{group: a.io, version: v1, kind: A}]\n', 'x'), objects), []);
});

test('rbac for wildcard entries: whole groups with a plain warning offline; the matching kinds from the cluster', async () => {
  const config = parseConfigText('resources:\n  - {group: "*"}\n', 'x');
  const offline = await rbacFor(config, { serviceAccount: 'crotel', namespace: 'monitoring' });
  const rules = (offline.find((o) => o.kind === 'ClusterRole') as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules;
  assert.deepEqual(rules, [
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
  ]);
  const notes = rbacNotes(config, false);
  assert.match(notes.join(' '), /WHOLE API groups/);
  assert.match(notes.join(' '), /core group included \(Secrets/);
  assert.match(toYaml(offline, notes), /^# WARNING: wildcard resources entries grant read/);

  const exact = await rbacFor(parseConfigText('resources: [{group: monitoring.coreos.com}]\ntraces: {events: false}\n', 'x'), { serviceAccount: 'crotel', namespace: 'm' });
  assert.deepEqual((exact.find((o) => o.kind === 'ClusterRole') as { rules: unknown[] }).rules.at(-1), { apiGroups: ['monitoring.coreos.com'], resources: ['*'], verbs: ['get', 'list', 'watch'] });

  const crds = [crd('a.io', 'Gadget', [['v1', true]]), crd('b.io', 'Gizmo', [['v1', true]]), crd('b.io', 'Widget', [['v1', true]]), crd('wgpolicyk8s.io', 'PolicyReport', [['v1', true]])]
    .map((c) => readCrd(c)!);
  const fromCluster = await rbacFor(config, { serviceAccount: 'crotel', namespace: 'monitoring', crds });
  const explicit = (fromCluster.find((o) => o.kind === 'ClusterRole') as { rules: { apiGroups: string[]; resources: string[] }[] }).rules;
  assert.deepEqual(explicit.map((r) => `${r.apiGroups.join()}:${r.resources.join()}`),
    ['apiextensions.k8s.io:customresourcedefinitions', 'a.io:gadgets', 'b.io:gizmos,widgets', ':events']);
  assert.ok(!explicit.some((r) => r.apiGroups.includes('*') || r.apiGroups.includes('wgpolicyk8s.io')), 'no wildcard, excluded groups left out');
  assert.doesNotMatch(rbacNotes(config, true).join(' '), /WARNING/);
});

test('self-metric gauges of a collection no longer watched leave the exposition (the SDK would repeat their last value forever)', async () => {
  const { createTelemetry, temporalityOf } = await import('../../src/metrics/telemetry.ts');
  const { AggregationTemporality, InstrumentType } = await import('@opentelemetry/sdk-metrics');
  const telemetry = createTelemetry({ version: 't', stores: () => [], env: {} });
  try {
    const gauges = (objects: number) => ({ objects: () => objects, watching: () => true, synced: () => true });
    telemetry.self.track('g.example.com/v1/Gadget', gauges(2));
    telemetry.self.track('g.example.com/v1/Gizmo', gauges(3));
    telemetry.self.listStarted('g.example.com/v1/Gadget');
    const before = await telemetry.selfExposition();
    assert.match(before, /^crotel_objects\{crotel_resource="g\.example\.com\/v1\/Gadget"\} 2$/m);
    telemetry.self.untrack('g.example.com/v1/Gadget');
    const after = await telemetry.selfExposition();
    assert.doesNotMatch(after, /^crotel_(objects|watch_up|resource_synced)\{crotel_resource="g\.example\.com\/v1\/Gadget"/m);
    assert.match(after, /^crotel_objects\{crotel_resource="g\.example\.com\/v1\/Gizmo"\} 3$/m);
    // Counters stay cumulative: what happened is still counted.
    assert.match(after, /^crotel_list_starts_total\{crotel_resource="g\.example\.com\/v1\/Gadget"\} 1$/m);
  } finally {
    await telemetry.shutdown();
  }
  // The push exporters get the same rule for gauges, and their own choice for the rest.
  assert.equal(temporalityOf(InstrumentType.OBSERVABLE_GAUGE, AggregationTemporality.CUMULATIVE), AggregationTemporality.DELTA);
  assert.equal(temporalityOf(InstrumentType.COUNTER, AggregationTemporality.CUMULATIVE), AggregationTemporality.CUMULATIVE);
});
