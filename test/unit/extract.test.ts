import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mustParsePath, parseConfigText } from '../../src/config/index.ts';
import { compileConfig, createRedactor, labelValue, readConditions, redact, resolvePath } from '../../src/extract/index.ts';
import type { CompiledResource, ExtractionError, Snapshot } from '../../src/model.ts';

const get = (o: unknown, p: string): unknown => resolvePath(o, mustParsePath(p).segments);

test('resolvePath: fields, indexes, filters, quoted keys, wrong shapes', () => {
  const o = {
    metadata: { annotations: { 'cnpg.io/hibernation': 'on' }, labels: { 'a.b': 'x' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False' }, { type: 5, status: 'num' }], phase: 'Running' },
    list: [[1, 2], [3]],
  };
  assert.equal(get(o, 'status.phase'), 'Running');
  assert.equal(get(o, "metadata.annotations['cnpg.io/hibernation']"), 'on');
  assert.equal(get(o, 'metadata.labels."a.b"'), 'x');
  assert.equal(get(o, 'status.conditions[1].type'), 'Synced');
  assert.equal(get(o, 'status.conditions[type=Synced].status'), 'False');
  assert.equal(get(o, 'status.conditions[type=5].status'), 'num', 'filters compare scalars as strings');
  assert.equal(get(o, 'list[0][1]'), 2);
  assert.equal(get(o, 'status.conditions[9]'), undefined);
  assert.equal(get(o, 'status.conditions[type=Nope].status'), undefined);
  assert.equal(get(o, 'status.phase.length'), undefined, 'no properties of strings');
  assert.equal(get(o, 'status.conditions.length'), undefined, 'no properties of arrays');
  assert.equal(get(o, 'status.constructor'), undefined, 'no prototype properties');
  assert.equal(get(o, 'status.__proto__'), undefined);
  assert.equal(get(null, 'a'), undefined);
});

test('redact: URL user info and configured patterns', () => {
  const cases: [string, string][] = [
    ['postgres://user:pass@host:5432/db', 'postgres://REDACTED@host:5432/db'],
    ['ssh://git@github.com/example/repo', 'ssh://REDACTED@github.com/example/repo'],
    ['postgres://u:p@ss/w#rd@host/db', 'postgres://REDACTED@host/db'],
    ['a mysql://root:x@db:3306/app and redis://:pw@cache:6379 end', 'a mysql://REDACTED@db:3306/app and redis://REDACTED@cache:6379 end'],
    ['"postgres://u:p@h/db"', '"postgres://REDACTED@h/db"'],
    ['https://example.com/path', 'https://example.com/path'],
    ['no url at all', 'no url at all'],
    ['://u:p@h', '://REDACTED@h'],
    ['', ''],
  ];
  for (const [input, expected] of cases) assert.equal(redact(input), expected, input);
  const r = createRedactor(['password=[^&]*', 'AKIA[A-Z0-9]{16}']);
  assert.equal(r('jdbc:x?user=a&password=s3cr3t&ssl=1'), 'jdbc:x?user=a&REDACTED&ssl=1');
  assert.equal(r('key AKIAABCDEFGHIJKLMNOP and postgres://u:p@h'), 'key REDACTED and postgres://REDACTED@h');
  // Long hostile input stays fast (linear scan).
  const hostile = 'a://'.repeat(20000) + '@';
  const t0 = performance.now();
  redact(hostile);
  assert.ok(performance.now() - t0 < 200);
});

test('labelValue: scalars, missing, objects, truncation, redaction', () => {
  assert.equal(labelValue('x', redact), 'x');
  assert.equal(labelValue(14, redact), '14');
  assert.equal(labelValue(1.5, redact), '1.5');
  assert.equal(labelValue(true, redact), 'true');
  assert.equal(labelValue(false, redact), 'false');
  assert.equal(labelValue(undefined, redact), '');
  assert.equal(labelValue(null, redact), '');
  assert.deepEqual(labelValue({ a: 1 }, redact), { error: 'expected a scalar label value, got an object' });
  assert.deepEqual(labelValue([1], redact), { error: 'expected a scalar label value, got a list' });
  assert.equal(labelValue('y'.repeat(300), redact), 'y'.repeat(256));
  assert.equal(labelValue(`${'y'.repeat(255)}😀`, redact), 'y'.repeat(255), 'no split surrogate pair');
  assert.equal(labelValue('postgres://user:pass@host:5432/db', redact), 'postgres://REDACTED@host:5432/db');
});

test('readConditions: list and map forms, odd statuses, caps, duplicates', () => {
  const errors: ExtractionError[] = [];
  const list = readConditions(
    [
      { type: 'Ready', status: 'True', reason: 'R', message: 'm'.repeat(600), lastTransitionTime: '2024-01-01T00:00:00Z' },
      { type: 'Available', status: 'Degraded' },
      { type: 'Ready', status: 'False' },
      { type: 'Bool', status: false },
      { status: 'True' },
      'junk',
      { type: 'BadTime', status: 'True', lastTransitionTime: 'yesterday' },
    ],
    'status.conditions',
    redact,
    errors,
  );
  assert.deepEqual(list, [
    { type: 'Ready', status: 'True', reason: 'R', message: 'm'.repeat(512), since: Date.UTC(2024, 0, 1) },
    { type: 'Available', status: 'Degraded' },
    { type: 'Bool', status: 'False' },
    { type: 'BadTime', status: 'True' },
  ]);
  assert.deepEqual(errors, [
    { path: 'status.conditions[2]', reason: 'duplicate condition type; the first one is used' },
    { path: 'status.conditions[4].type', reason: 'expected a non-empty string condition type' },
    { path: 'status.conditions[5]', reason: 'expected a condition object' },
    { path: 'status.conditions[6].lastTransitionTime', reason: 'expected an RFC 3339 time' },
  ]);
  const mapErrors: ExtractionError[] = [];
  assert.deepEqual(readConditions({ Ready: { status: 'True', reason: 'Ok' }, Synced: 'False', Bad: {} }, 'status.conditions', redact, mapErrors), [
    { type: 'Ready', status: 'True', reason: 'Ok' },
    { type: 'Synced', status: 'False' },
  ]);
  // A condition without a status is an informational shape (Argo CD writes them): skipped, not an error.
  assert.deepEqual(mapErrors, []);
  const numeric: ExtractionError[] = [];
  assert.deepEqual(readConditions([{ type: 'N', status: 1 }], 'status.conditions', redact, numeric), []);
  assert.deepEqual(numeric, [{ path: 'status.conditions[0].status', reason: 'expected a string condition status' }]);
  const e3: ExtractionError[] = [];
  assert.deepEqual(readConditions('x', 'p', redact, e3), []);
  assert.equal(e3.length, 1);
});

function compileOne(yaml: string): CompiledResource {
  const [r] = compileConfig(parseConfigText(yaml, 'test.yaml'));
  assert.ok(r);
  return r;
}
function extract(r: CompiledResource, o: Record<string, unknown>): Snapshot {
  const s = r.extract({ metadata: { uid: 'u', name: 'n', namespace: 'ns' }, ...o });
  assert.ok(!('invalid' in s));
  return s;
}
const values = (s: Snapshot): [number, string[], number][] => s.samples.map((x) => [x.family, [...x.attributeValues], x.value]);

test('gauge: matches, nilIsZero, quantities, filter paths', () => {
  const r = compileOne(`
resources:
  - version: v1
    kind: T
    labels: {ns: metadata.namespace}
    metrics:
      - {name: ready, gauge: {path: "status.conditions[type=Ready].status", equals: "True"}}
      - {name: phase_ok, gauge: {path: status.phase, oneOf: [Running, Succeeded]}}
      - {name: mem, unit: By, gauge: {path: spec.memory}}
      - {name: missing0, gauge: {path: spec.nothing, nilIsZero: true}}
      - {name: missing, gauge: {path: spec.nothing}}
      - {name: unknown0, gauge: {path: status.flag, nilIsZero: true}}
      - {name: hib, gauge: {path: "metadata.annotations['cnpg.io/hibernation']", equals: "on", nilIsZero: true}}
      - {name: obj, gauge: {path: spec, equals: x}}
`);
  assert.equal(r.families[2]?.prometheusName, 'mem_bytes');
  const s = extract(r, {
    metadata: { uid: 'u', name: 'n', namespace: 'ns', annotations: { 'cnpg.io/hibernation': 'on' } },
    spec: { memory: '1Gi' },
    status: { phase: 'Succeeded', flag: 'Unknown', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  assert.deepEqual(values(s), [
    [0, ['ns'], 1],
    [1, ['ns'], 1],
    [2, ['ns'], 2 ** 30],
    [3, ['ns'], 0],
    [5, ['ns'], 0],
    [6, ['ns'], 1],
  ]);
  assert.deepEqual(s.errors, [{ path: 'spec', reason: 'expected a scalar to compare, got an object' }]);
});

test('stateSet and info', () => {
  const r = compileOne(`
resources:
  - version: v1
    kind: T
    labels: {name: metadata.name}
    metrics:
      - {name: st, labels: {eng: spec.engine}, stateSet: {path: status.phase, label: phase, list: [A, B, C]}}
      - {name: inf, info: {labels: {engine: spec.engine, v: spec.version}}}
      - {name: inf_bad, info: {labels: {x: spec}}}
`);
  assert.deepEqual(r.families.map((f) => f.attributeKeys.join(',')), ['name,eng,phase', 'name,engine,v', 'name,x']);
  assert.deepEqual(values(extract(r, { spec: { engine: 'pg', version: 14 }, status: { phase: 'B' } })), [
    [0, ['n', 'pg', 'A'], 0],
    [0, ['n', 'pg', 'B'], 1],
    [0, ['n', 'pg', 'C'], 0],
    [1, ['n', 'pg', '14'], 1],
  ]);
  // No phase: no state-set series at all; a state outside the list: all zero.
  const none = extract(r, { spec: { engine: 'pg' } });
  assert.deepEqual(values(none), [[1, ['n', 'pg', ''], 1]]);
  assert.deepEqual(none.errors, [{ path: 'spec', reason: 'expected a scalar label value, got an object' }]);
  assert.deepEqual(values(extract(r, { spec: {}, status: { phase: 'Z' } })).filter((v) => v[0] === 0).map((v) => v[2]), [0, 0, 0]);
  assert.deepEqual(extract(r, { spec: {}, status: { phase: ['A'] } }).errors, [
    { path: 'status.phase', reason: 'expected a string, got a list' }, // the snapshot's phase
    { path: 'status.phase', reason: 'expected a scalar state, got a list' }, // the state set
    { path: 'spec', reason: 'expected a scalar label value, got an object' }, // inf_bad's label
  ]);
});

test('conditions metric at a custom path, in map form, with extra labels', () => {
  const r = compileOne(`
resources:
  - version: v1
    kind: T
    metrics:
      - {name: c, labels: {n: metadata.name}, conditions: {path: status.health, typeLabel: t, statusLabel: s}}
`);
  assert.deepEqual(values(extract(r, { status: { health: { Ready: { status: 'True' }, Disk: 'Degraded' } } })), [
    [0, ['n', 'Ready', 'True'], 1],
    [0, ['n', 'Disk', 'Degraded'], 0],
  ]);
});

test('snapshot facts: generations, phase, deletion, odd types as errors', () => {
  const r = compileOne('resources:\n  - {version: v1, kind: T, generic: false}\n');
  assert.deepEqual(r.families, []);
  const s = extract(r, {
    metadata: { uid: 'u', name: 'n', generation: '3', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z', deletionTimestamp: '2024-01-02T00:00:00.5Z' },
    status: { observedGeneration: 2.5, phase: 42 },
  });
  assert.equal(s.generation, 3, 'an integer string is read as an integer');
  assert.equal(s.observedGeneration, undefined);
  assert.equal(s.phase, undefined);
  assert.equal(s.namespace, '');
  assert.equal(s.resourceVersion, '7');
  assert.equal(s.createdAt, Date.UTC(2024, 0, 1));
  assert.equal(s.deletingSince, Date.UTC(2024, 0, 2) + 500);
  assert.equal(s.health, 'terminating');
  assert.deepEqual(s.errors, [
    { path: 'status.observedGeneration', reason: 'expected an integer, got a non-integer number' },
    { path: 'status.phase', reason: 'expected a string, got number' },
  ]);
  const ok = extract(r, { metadata: { uid: 'u', name: 'n', generation: 4 }, status: { observedGeneration: 3, phase: 'Ready' } });
  assert.deepEqual([ok.generation, ok.observedGeneration, ok.phase, ok.health], [4, 3, 'Ready', 'in_progress']);
});

test('extract never throws on hostile input', () => {
  const r = compileOne(`
resources:
  - version: v1
    kind: T
    generic: true
    labels: {a: spec.a}
    metrics: [{name: g, gauge: {path: spec.g}}, {name: c, conditions: {}}, {name: s, stateSet: {path: status.phase, label: p, list: [X]}}]
`);
  const weird: unknown[] = [
    { metadata: { uid: 'u', name: 'n' }, spec: 'str', status: [] },
    { metadata: { uid: 'u', name: 'n' }, spec: { g: Infinity, a: { x: 1 } }, status: { conditions: [null], phase: {} } },
    { metadata: { uid: 'u', name: 'n', deletionTimestamp: 5 }, status: { conditions: { Ready: null } } },
    JSON.parse('{"metadata":{"uid":"u","name":"n"},"spec":{"__proto__":{"g":1}}}'),
  ];
  for (const o of weird) {
    const s = r.extract(o);
    assert.ok(!('invalid' in s), JSON.stringify(o));
  }
});
