// Reading kube-state-metrics configs: what it accepts is accepted (non-strict, any scalar as a
// string, case-insensitive types, null prefix = default), what it rejects is rejected with the
// file, path and line; and the compiled resources produce KSM's series.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/index.ts';
import { renderExposition } from '../../src/metrics/exposition.ts';
import { SeriesBudget } from '../../src/state/budget.ts';
import { ResourceStore } from '../../src/state/store.ts';
import { compileKsmConfig, convertKsmConfig, parseKsmConfig, resolveGvk } from '../../src/ksm/index.ts';

const problemsOf = (text: string): ConfigError => {
  try {
    parseKsmConfig(text, 'crs.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e;
  }
  assert.fail('expected a ConfigError');
};

test('accepts what kube-state-metrics accepts', () => {
  const c = parseKsmConfig(`
kind: CustomResourceStateMetrics
spec:
  resources:
    - groupVersionKind: {group: myteam.io, version: 1.10, kind: Foo}
      metricNamePrefix: ~
      labelsTypo: {}
      metrics:
        - name: up
          each: {type: gauge, gauge: {path: [spec, 0, "x"], nilIsZero: yes}}
`, 'crs.yaml');
  const r = c.resources[0]!;
  assert.equal(r.groupVersionKind.version, '1.10', 'scalars keep their text');
  assert.equal(r.metricNamePrefix, undefined, 'null prefix = default');
  assert.deepEqual(r.metrics[0]!.each.path, ['spec', '0', 'x']);
  assert.equal(r.metrics[0]!.each.nilIsZero, true);
  assert.equal(c.warnings.length, 1);
  assert.match(c.warnings[0]!, /crs\.yaml:7: spec\.resources\[0\]\.labelsTypo: unknown key/);
});

test('rejects what kube-state-metrics rejects, naming file, path and line', () => {
  const e = problemsOf(`spec:
  resources:
    - groupVersionKind: {group: "*", version: v1, kind: Foo}
      metrics:
        - name: a
          each: {type: Counter}
        - name: b
          each: {type: Gauge}
        - name: c
          each: {type: StateSet, stateSet: {path: status.phase, list: [A]}}
        - name: d
          each: {type: Info, info: {labelsFromPath: {x: [status, "[noeq]"]}}}
        - name: e
          each: {type: Gauge, gauge: {path: [a], nilIsZero: maybe}}
`);
  const at = new Map(e.problems.map((p) => [p.path, p]));
  assert.equal(at.get('spec.resources[0].groupVersionKind.group')?.line, 3);
  assert.match(at.get('spec.resources[0].metrics[0].each.type')!.got, /"Counter"/);
  assert.equal(at.get('spec.resources[0].metrics[1].each.gauge')?.got, 'nothing');
  assert.match(at.get('spec.resources[0].metrics[2].each.stateSet.path')!.expected, /list of strings/);
  assert.match(at.get('spec.resources[0].metrics[3].each.info.labelsFromPath.x')!.got, /invalid list lookup/);
  assert.match(at.get('spec.resources[0].metrics[4].each.gauge.nilIsZero')!.expected, /boolean/);
  assert.ok(e.message.includes('crs.yaml:'), e.message);
  assert.throws(() => parseKsmConfig('', 'empty.yaml'), /empty\.yaml/);
  assert.throws(() => parseKsmConfig('spec: [', 'bad.yaml'), /bad\.yaml.*valid YAML/s);
});

test('compiled resources serve kube-state-metrics series; missing labels are left out', async () => {
  const config = parseKsmConfig(`
spec:
  resources:
    - groupVersionKind: {group: myteam.io, version: v1, kind: Foo}
      labelsFromPath: {name: [metadata, name], team: [metadata, labels, team]}
      metrics:
        - name: phase
          help: Phase
          each: {type: StateSet, stateSet: {labelName: phase, path: [status, phase], list: [A, B]}}
        - name: bad_value
          help: Bad
          each: {type: Gauge, gauge: {path: [status, v]}}
`, 'crs.yaml');
  const [resource] = compileKsmConfig(config).resources;
  assert.ok(resource);
  const errors: string[] = [];
  const store = new ResourceStore(resource, new SeriesBudget(() => {}), { extractionErrors: (_r, s) => errors.push(...s.errors.map((e) => `${e.path}: ${e.reason}`)) });
  store.upsert({ metadata: { uid: '1', name: 'x', labels: { team: 't' } }, status: { phase: 'B', v: 'oops' } });
  store.upsert({ metadata: { uid: '2', name: 'y' }, status: { phase: 'A' } });
  const text = await renderExposition([store]);
  assert.ok(text.includes('phase{customresource_group="myteam.io",customresource_kind="Foo",customresource_version="v1",name="x",phase="B",team="t"} 1'), text);
  assert.ok(text.includes('phase{customresource_group="myteam.io",customresource_kind="Foo",customresource_version="v1",name="y",phase="B"} 0'), text);
  assert.equal((text.match(/# HELP kube_customresource_phase /g) ?? []).length, 1, 'one HELP for all label sets');
  assert.deepEqual(errors, ['kube_customresource_bad_value [status,v]: expected a number, boolean, RFC 3339 time, quantity or percentage; got an unparseable string']);
});

test('wildcards resolve against served CRD versions; convert-ksm says what it cannot express', () => {
  const crds = [{ group: 'g.io', kind: 'A', servedVersions: ['v1', 'v2'] }, { group: 'g.io', kind: 'B', servedVersions: ['v1'] }, { group: 'h.io', kind: 'A', servedVersions: ['v1'] }];
  assert.deepEqual(resolveGvk({ group: 'g.io', version: '*', kind: 'A' }, crds).map((r) => r.version), ['v1', 'v2']);
  assert.deepEqual(resolveGvk({ group: 'g.io', version: 'v1', kind: '' }, crds).map((r) => r.kind), ['A', 'B']);
  const { yaml, notes } = convertKsmConfig(parseKsmConfig(`
spec:
  resources:
    - groupVersionKind: {group: g.io, version: v1, kind: A}
      commonLabels: {team: x}
      labelsFromPath: {name: [metadata, name], "*": [metadata, labels]}
      metrics:
        - name: phase
          each: {type: StateSet, stateSet: {labelName: phase, path: [status, phase], list: [A, B]}}
        - name: cond
          each: {type: Gauge, gauge: {path: [status, conditions], labelsFromPath: {type: [type]}, valueFrom: [status]}}
        - name: size
          each: {type: Gauge, gauge: {path: [status, sizes], labelFromKey: k}}
`, 'crs.yaml'));
  assert.match(yaml, /name: kube_customresource_phase\n\s+stateSet:\n\s+path: status\.phase/);
  assert.match(yaml, /conditions:\n\s+path: status\.conditions/);
  assert.ok(notes.some((n) => /commonLabels/.test(n)) && notes.some((n) => /labelFromKey/.test(n)) && notes.some((n) => /whole map/.test(n)), notes.join('\n'));
});

test('two entries of one kind compile to two resources with their own ids', () => {
  const c = parseKsmConfig(`
kind: CustomResourceStateMetrics
spec:
  resources:
    - groupVersionKind: {group: myteam.io, version: v1, kind: Foo}
      metricNamePrefix: a
      metrics: [{name: up, each: {type: gauge, gauge: {path: [spec, x]}}}]
    - groupVersionKind: {group: myteam.io, version: v1, kind: Foo}
      metricNamePrefix: b
      metrics: [{name: up, each: {type: gauge, gauge: {path: [spec, x]}}}]
`, 'crs.yaml');
  const ids = compileKsmConfig(c).resources.map((r) => r.id);
  assert.deepEqual(ids, ['myteam.io/v1/Foo', 'myteam.io/v1/Foo#2']);
});

test('an id does not depend on which CRDs are installed (the CRD poll tells new kinds by id)', () => {
  const c = parseKsmConfig(`
kind: CustomResourceStateMetrics
spec:
  resources:
    - groupVersionKind: {group: myteam.io, version: "*", kind: "*"}
      metrics: [{name: up, each: {type: gauge, gauge: {path: [spec, x]}}}]
    - groupVersionKind: {group: myteam.io, version: v1, kind: Foo}
      metricNamePrefix: b
      metrics: [{name: up, each: {type: gauge, gauge: {path: [spec, x]}}}]
`, 'crs.yaml');
  const crd = { group: 'myteam.io', kind: 'Foo', servedVersions: ['v1'] };
  const before = compileKsmConfig(c, { crds: [] }).resources.map((r) => r.id);
  const after = compileKsmConfig(c, { crds: [crd] }).resources.map((r) => r.id);
  assert.deepEqual(before, ['myteam.io/v1/Foo#2']);
  assert.deepEqual(after, ['myteam.io/v1/Foo', 'myteam.io/v1/Foo#2']);
});
