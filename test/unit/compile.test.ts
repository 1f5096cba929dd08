import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfigFile, parseConfigText } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import type { CompiledResource, Snapshot } from '../../src/model.ts';
import { EXAMPLE_DIR, fixtureObjects, loadYamlDocs, withUid } from './extract-fixtures.ts';

function snapshot(r: CompiledResource, object: unknown): Snapshot {
  const s = r.extract(object);
  assert.ok(!('invalid' in s), `invalid: ${'invalid' in s ? s.invalid : ''}`);
  return s;
}

/** Samples as `prometheusName{k="v",...} value`, the way a reader checks them. */
function render(r: CompiledResource, s: Snapshot): string[] {
  return s.samples.map((x) => {
    const f = r.families[x.family];
    assert.ok(f);
    assert.equal(x.attributeValues.length, f.attributeKeys.length, f.name);
    const labels = f.attributeKeys.map((k, i) => `${k}="${x.attributeValues[i]}"`).join(',');
    return `${f.prometheusName}{${labels}} ${x.value}`;
  });
}

const reference = (): CompiledResource => {
  const [r] = compileConfig(loadConfigFile(join(EXAMPLE_DIR, 'crotel.yaml')));
  assert.ok(r);
  return r;
};

test('reference config: exactly the four DatabaseInstance families', () => {
  const r = reference();
  assert.equal(r.id, 'stable.example.com/v1/DatabaseInstance');
  assert.deepEqual(r.ref, { group: 'stable.example.com', version: 'v1', kind: 'DatabaseInstance' });
  assert.deepEqual(r.namespaces, []);
  assert.deepEqual(
    r.families.map((f) => [f.prometheusName, f.attributeKeys.join(','), f.instrument, f.cardinalityLimit]),
    [
      ['database_instance_phase', 'name,namespace,engine,version,phase', 'gauge', 1000000],
      ['database_instance_condition', 'name,namespace,engine,version,condition_type,condition_status', 'gauge', 1000000],
      ['database_instance_storage_gb', 'name,namespace,engine,version', 'gauge', 1000000],
      ['database_instance_last_backup_time_seconds', 'name,namespace,engine,version', 'gauge', 1000000],
    ],
  );
  for (const f of r.families) assert.ok(f.description.length > 0);
});

test('reference config over objects.yaml: exact samples', () => {
  const r = reference();
  const objects = loadYamlDocs(join(EXAMPLE_DIR, 'objects.yaml'));
  const got = objects.map((o) => render(r, snapshot(r, o)));
  const id = (name: string, ns: string, engine: string, version: string): string => `name="${name}",namespace="${ns}",engine="${engine}",version="${version}"`;
  const a = id('my-test-db', 'default', 'postgres', '14');
  const b = id('fresh-db', 'default', 'mysql', '8.0');
  const c = id('broken-db', 'payments', 'postgres', '15');
  const d = id('new-db', 'default', 'mysql', '8.0');
  assert.deepEqual(got, [
    [
      `database_instance_phase{${a},phase="Running"} 1`,
      `database_instance_condition{${a},condition_type="Ready",condition_status="True"} 1`,
      `database_instance_storage_gb{${a}} 10`,
      `database_instance_last_backup_time_seconds{${a}} 1698400800`,
    ],
    // No status: only its storage series.
    [`database_instance_storage_gb{${b}} 20`],
    [
      `database_instance_phase{${c},phase="Failed"} 0`,
      `database_instance_condition{${c},condition_type="Ready",condition_status="False"} 0`,
      `database_instance_storage_gb{${c}} 50`,
      `database_instance_last_backup_time_seconds{${c}} 1698355800.5`,
    ],
    [
      `database_instance_phase{${d},phase="Provisioning"} 0`,
      `database_instance_condition{${d},condition_type="Ready",condition_status="False"} 0`,
      `database_instance_storage_gb{${d}} 5`,
    ],
  ]);
});

test('reference config: snapshot facts', () => {
  const r = reference();
  const [sample, fresh, broken] = loadYamlDocs(join(EXAMPLE_DIR, 'objects.yaml')).map((o) => snapshot(r, o));
  assert.ok(sample && fresh && broken);
  assert.deepEqual(
    { ...sample, samples: sample.samples.length },
    {
      uid: '5d7c1a2e-0b1f-4c3a-9a51-000000000001',
      namespace: 'default',
      name: 'my-test-db',
      resourceVersion: '1001',
      generation: 1,
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'DatabaseReady', message: 'Database is provisioned and ready', since: Date.UTC(2023, 9, 27, 9, 50) },
      ],
      createdAt: Date.UTC(2023, 9, 27, 9, 45),
      health: 'current',
      healthWhy: { state: 'current', rule: 'config: successPhases', detail: 'Running' },
      samples: 4,
      errors: [],
    },
  );
  assert.equal(fresh.health, 'in_progress'); // successPhases configured, no status yet: not provisioned
  assert.equal(fresh.phase, undefined);
  assert.deepEqual(fresh.conditions, []);
  assert.equal(broken.health, 'failed'); // failurePhases: [Failed]
});

test('connectionString never leaves, even mapped to a label', () => {
  const config = parseConfigText(
    `
redact: ["token=[^&]*"]
resources:
  - group: stable.example.com
    version: v1
    kind: DatabaseInstance
    labels: {name: metadata.name, conn: status.connectionString}
    metrics:
      - {name: db_info, info: {labels: {conn2: status.connectionString, note: spec.note}}}
      - {name: db_phase, stateSet: {path: status.phase, label: phase, list: [Running, Failed]}}
      - {name: db_cond, conditions: {}}
`,
    'leak.yaml',
  );
  const [r] = compileConfig(config);
  assert.ok(r);
  const [object] = loadYamlDocs(join(EXAMPLE_DIR, 'objects.yaml'));
  assert.ok(object);
  const status = object.status as Record<string, unknown>;
  const evil = {
    ...object,
    spec: { ...(object.spec as object), note: 'see https://x.io/?token=abc123&y=1' },
    status: {
      ...status,
      phase: 'mysql://root:hunter2@db/x',
      conditions: [{ type: 'Ready', status: 'False', reason: 'Err', message: 'cannot reach postgres://user:pass@host:5432/db', lastTransitionTime: '2023-10-27T09:50:00Z' }],
    },
  };
  const s = snapshot(r, evil);
  const everything = JSON.stringify(s);
  for (const secret of ['user:pass', 'pass@', 'hunter2', 'abc123']) assert.ok(!everything.includes(secret), `${secret} leaked: ${everything}`);
  const info = s.samples.find((x) => r.families[x.family]?.name === 'db_info');
  assert.deepEqual(info?.attributeValues, ['my-test-db', 'postgres://REDACTED@host:5432/db', 'postgres://REDACTED@host:5432/db', 'see https://x.io/?REDACTED&y=1']);
  assert.equal(s.phase, 'mysql://REDACTED@db/x');
  assert.equal(s.conditions[0]?.message, 'cannot reach postgres://REDACTED@host:5432/db');
});

test('a malformed field is counted and the other metrics still come out', () => {
  const r = reference();
  const [object] = loadYamlDocs(join(EXAMPLE_DIR, 'objects.yaml'));
  assert.ok(object);
  const bad = {
    ...object,
    spec: { engine: 'postgres', version: '14', storageGB: { gb: 10 } },
    status: { ...(object.status as object), lastBackupTime: 'last tuesday' },
  };
  const s = snapshot(r, bad);
  assert.deepEqual(s.errors, [
    { path: 'spec.storageGB', reason: 'expected a number-like scalar, got an object' },
    { path: 'status.lastBackupTime', reason: 'expected a number, boolean, True/False, RFC 3339 time, quantity or duration; got an unparseable string' },
  ]);
  assert.deepEqual(s.samples.map((x) => r.families[x.family]?.name), ['database_instance_phase', 'database_instance_condition']);

  // A common label that is not a scalar skips every configured sample and is reported once.
  const s2 = snapshot(r, { ...object, spec: { engine: ['postgres'], version: '14', storageGB: 10 } });
  assert.deepEqual(s2.samples, []);
  assert.deepEqual(s2.errors, [{ path: 'spec.engine', reason: 'expected a scalar label value, got a list' }]);
});

test('objects without identity are invalid, never thrown', () => {
  const r = reference();
  for (const [o, reason] of [
    [null, /expected an object/],
    [[], /a list/],
    ['str', /string/],
    [{}, /metadata/],
    [{ metadata: { name: 'x' } }, /uid/],
    [{ metadata: { uid: 'u' } }, /name/],
    [{ metadata: { uid: 'u', name: '' } }, /name/],
  ] as const) {
    const s = r.extract(o);
    assert.ok('invalid' in s, JSON.stringify(o));
    assert.match(s.invalid, reason);
  }
});

test('generic families over every fixture', () => {
  const [r] = compileConfig(parseConfigText('resources:\n  - {group: g.io, version: v1, kind: Thing}\n', 'generic.yaml'));
  assert.ok(r);
  assert.deepEqual(
    r.families.map((f) => [f.name, f.prometheusName, f.instrument, f.unit, f.attributeKeys.slice(4).join(',')]),
    [
      ['k8s.object.condition.status', 'k8s_object_condition_status', 'updowncounter', '{object}', 'k8s.object.condition.type,k8s.object.condition.status'],
      ['k8s.object.phase', 'k8s_object_phase', 'updowncounter', '{object}', 'k8s.object.phase'],
      ['k8s.object.generation.lag', 'k8s_object_generation_lag', 'gauge', '{generation}', ''],
      ['k8s.object.health', 'k8s_object_health', 'updowncounter', '{object}', 'k8s.object.health'],
    ],
  );
  for (const f of r.families) assert.deepEqual(f.attributeKeys.slice(0, 4), ['k8s.namespace.name', 'k8s.object.name', 'k8s.object.kind', 'k8s.object.group']);

  const byId = new Map(fixtureObjects().map((f) => [f.id, withUid(f.object)]));
  const lines = (id: string): string[] => {
    const o = byId.get(id);
    assert.ok(o, id);
    return render(r, snapshot(r, o)).map((l) => l.replace(/k8s_object_[a-z_]+\{k8s.namespace.name="[^"]*",k8s.object.name="[^"]*",k8s.object.kind="Thing",k8s.object.group="g.io",?/, (m) => m.slice(0, m.indexOf('{') + 1)));
  };

  // CNPG: free-text phase with spaces; domain-prefixed condition type.
  const hibernated = lines('cloudnative-pg/cluster-hibernated.yaml');
  assert.ok(hibernated.includes('k8s_object_phase{k8s.object.phase="Cluster in healthy state"} 1'), hibernated.join('\n'));
  for (const status of ['True', 'False', 'Unknown']) {
    assert.ok(hibernated.includes(`k8s_object_condition_status{k8s.object.condition.type="cnpg.io/hibernation",k8s.object.condition.status="${status}"} ${status === 'True' ? 1 : 0}`));
  }
  // A kind with no catalog rule: the generic pause-condition rule reads cnpg.io/hibernation=True.
  assert.ok(hibernated.includes('k8s_object_health{k8s.object.health="suspended"} 1'));
  // generation 1 but no status.observedGeneration: no lag series.
  assert.ok(!hibernated.some((l) => l.startsWith('k8s_object_generation_lag')));

  // Prometheus Operator: Available=Degraded gets its own series besides the standard three.
  const degraded = lines('prometheus-operator/prometheus-degraded-scheduling.yaml').filter((l) => l.includes('"Available"'));
  assert.deepEqual(degraded, [
    'k8s_object_condition_status{k8s.object.condition.type="Available",k8s.object.condition.status="True"} 0',
    'k8s_object_condition_status{k8s.object.condition.type="Available",k8s.object.condition.status="False"} 0',
    'k8s_object_condition_status{k8s.object.condition.type="Available",k8s.object.condition.status="Unknown"} 0',
    'k8s_object_condition_status{k8s.object.condition.type="Available",k8s.object.condition.status="Degraded"} 1',
  ]);

  // Flux observedGeneration -1: no lag series, not exported as -1; Ready=False outranks the
  // unobserved generation (Argo CD calls this object Degraded).
  const o = byId.get('flux-kustomization/kustomization-source-not-found.yaml');
  const notFound = snapshot(r, { ...o, metadata: { ...(o?.metadata as object), generation: 1 } });
  assert.equal(notFound.observedGeneration, undefined);
  assert.equal(notFound.health, 'degraded');
  assert.ok(!notFound.samples.some((x) => r.families[x.family]?.name === 'k8s.object.generation.lag'));

  // Flux generation 3 observed 2: lag 1.
  const retrying = lines('flux-kustomization/kustomization-failed-retrying.yaml');
  assert.ok(retrying.includes('k8s_object_generation_lag{} 1'), retrying.join('\n'));
  assert.deepEqual(retrying.filter((l) => l.startsWith('k8s_object_health')), [
    'k8s_object_health{k8s.object.health="current"} 0',
    'k8s_object_health{k8s.object.health="in_progress"} 0',
    'k8s_object_health{k8s.object.health="degraded"} 1',
    'k8s_object_health{k8s.object.health="failed"} 0',
    'k8s_object_health{k8s.object.health="suspended"} 0',
    'k8s_object_health{k8s.object.health="terminating"} 0',
    'k8s_object_health{k8s.object.health="unknown"} 0',
  ]);

  // Every fixture extracts cleanly with exactly one health series at 1 and identity attributes set.
  for (const [id, object] of byId) {
    const s = snapshot(r, object);
    assert.deepEqual(s.errors, [], id);
    const health = s.samples.filter((x) => x.family === 3);
    assert.equal(health.length, 7, id);
    assert.equal(health.filter((x) => x.value === 1).length, 1, id);
    for (const x of s.samples) assert.equal(x.attributeValues[1], (object.metadata as { name: string }).name, id);
  }
});

test('generic families and configured metrics together; namespace of a cluster-scoped object is empty', () => {
  const [r] = compileConfig(
    parseConfigText(
      `
limits: {seriesPerMetric: 10}
resources:
  - version: v1
    kind: Thing
    generic: true
    metrics: [{name: thing_replicas, unit: "{replica}", cardinalityLimit: 3, gauge: {path: spec.replicas}}]
`,
      'both.yaml',
    ),
  );
  assert.ok(r);
  assert.equal(r.id, 'v1/Thing');
  assert.deepEqual(r.families.map((f) => [f.name, f.cardinalityLimit]), [
    ['thing_replicas', 3],
    ['k8s.object.condition.status', 10],
    ['k8s.object.phase', 10],
    ['k8s.object.generation.lag', 10],
    ['k8s.object.health', 10],
  ]);
  const s = snapshot(r, { metadata: { uid: 'u', name: 'n' }, spec: { replicas: 2 } });
  assert.deepEqual(s.samples[0], { family: 0, attributeValues: [], value: 2 });
  assert.deepEqual(s.samples[1]?.attributeValues, ['', 'n', 'Thing', '', 'current']);
});
