// User health rules in crotel config, Flux healthCheckExprs (inline and from a file), their
// validation with file:line:col, expression errors on objects, and `crotel render --explain`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile, parseConfigText } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import { parseHealthCheckExprsText } from '../../src/health/flux-file.ts';
import type { Snapshot } from '../../src/model.ts';

const root = new URL('../../', import.meta.url).pathname;

function snapshotOf(configText: string, object: Record<string, unknown>): Snapshot {
  const [r] = compileConfig(parseConfigText(configText, 'crotel.yaml'));
  assert.ok(r);
  const s = r.extract({ ...object, metadata: { uid: 'u1', name: 'x', namespace: 'ns', ...(object.metadata as object) } });
  assert.ok(!('invalid' in s));
  return s;
}

const cert = (ready: string, reason = 'R') => ({
  apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: {},
  status: { conditions: [{ type: 'Ready', status: ready, reason }] },
});

test('a config that only lists a kind gets the catalog rules', () => {
  const s = snapshotOf('resources:\n  - {group: cert-manager.io, version: v1, kind: Certificate}\n', cert('False', 'DoesNotExist'));
  assert.equal(s.health, 'degraded');
  assert.deepEqual(s.healthWhy, { state: 'degraded', rule: 'cert-manager.io/Certificate rule 2: Ready=False', detail: 'DoesNotExist' });
});

test('user rules come before the catalog; otherwise falls through to it', async (t) => {
  const config = `
resources:
  - group: cert-manager.io
    version: v1
    kind: Certificate
    health:
      rules:
        - when: cond("Ready") == "False" && condReason("Ready") == "Expired"
          state: failed
          reason: certificate expired
`;
  await t.test('user rule decides', () => {
    const s = snapshotOf(config, cert('False', 'Expired'));
    assert.equal(s.health, 'failed');
    assert.equal(s.healthWhy?.rule, 'config cert-manager.io/Certificate rule 1: certificate expired');
  });
  await t.test('catalog decides when no user rule holds', () => assert.equal(snapshotOf(config, cert('False', 'Other')).health, 'degraded'));
  await t.test('catalog: false leaves the generic rules', () => {
    const s = snapshotOf('resources:\n  - {group: cert-manager.io, version: v1, kind: Certificate, health: {catalog: false}}\n', { ...cert('True'), status: { conditions: [{ type: 'Issuing', status: 'True' }, { type: 'Ready', status: 'True' }] } });
    assert.equal(s.health, 'current', 'generic: Issuing is not a known condition type');
  });
  await t.test('otherwise: a state ends the search', () => {
    const s = snapshotOf('resources:\n  - group: x.io\n    version: v1\n    kind: Y\n    health: {rules: [{condition: Ok=True, state: current}], otherwise: unknown}\n', { apiVersion: 'x.io/v1', kind: 'Y', status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    assert.equal(s.health, 'unknown');
  });
  await t.test('phase sugar', () => {
    const s = snapshotOf('resources:\n  - group: x.io\n    version: v1\n    kind: Y\n    health: {rules: [{phase: [Broken, Gone], state: failed}]}\n', { apiVersion: 'x.io/v1', kind: 'Y', status: { phase: 'Gone' } });
    assert.equal(s.health, 'failed');
    assert.equal(s.healthWhy?.detail, 'Gone');
  });
});

test('an expression that errors on an object is counted and skipped; the other series stay', () => {
  const config = `
resources:
  - group: x.io
    version: v1
    kind: Y
    health:
      rules:
        - when: status.replicas > 2
          state: degraded
`;
  const s = snapshotOf(config, { apiVersion: 'x.io/v1', kind: 'Y', status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  assert.equal(s.health, 'current', 'the next rules (here the generic ones) decide');
  assert.deepEqual(s.errors, [{ path: 'health: config x.io/Y rule 1', reason: 'CEL: No such key: replicas' }]);
  assert.ok(s.samples.length > 0, 'generic series still there');
});

test('crotel validate reports CEL syntax and type errors at file:line:col', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['syntax error inside a plain scalar', 'resources:\n  - version: v1\n    kind: Y\n    health:\n      rules:\n        - when: cond("Ready") ==\n          state: failed\n',
      /crotel\.yaml:6:\d+: resources\[0\]\.health\.rules\[0\]\.when: expected a valid CEL boolean expression, got CEL syntax error/],
    ['type error', 'resources:\n  - version: v1\n    kind: Y\n    health:\n      rules:\n        - {when: "cond(1) == \\"x\\"", state: failed}\n',
      /crotel\.yaml:6:\d+: resources\[0\]\.health\.rules\[0\]\.when: expected a valid CEL boolean expression, got CEL type error: found no matching overload for 'cond\(int\)'/],
    ['not a boolean', 'resources:\n  - version: v1\n    kind: Y\n    health:\n      rules:\n        - {when: "phase", state: failed}\n', /expected a bool expression, got string/],
    ['unknown state', 'resources:\n  - version: v1\n    kind: Y\n    health:\n      rules:\n        - {condition: Ready=False, state: broken}\n', /rules\[0\]\.state: expected one of "current"/],
    ['bad sugar', 'resources:\n  - version: v1\n    kind: Y\n    health:\n      rules:\n        - {condition: Ready, state: failed}\n', /rules\[0\]\.condition: expected Type=Status/],
    ['two forms', 'resources:\n  - version: v1\n    kind: Y\n    health:\n      rules:\n        - {condition: Ready=True, phase: [A], state: failed}\n', /exactly one of when, condition, phase/],
  ];
  for (const [name, text, pattern] of cases) {
    await t.test(name, () => {
      assert.throws(() => parseConfigText(text, 'crotel.yaml'), (e: unknown) => e instanceof ConfigError && pattern.test(e.message) || assert.fail(String(e)));
    });
  }
  await t.test('the column points into the expression', () => {
    const text = 'resources:\n  - version: v1\n    kind: Y\n    health:\n      rules:\n        - when: cond("Ready") == "False" &&\n          state: failed\n';
    try {
      parseConfigText(text, 'crotel.yaml');
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const p = e.problems[0];
      assert.equal(p?.line, 6);
      assert.ok((p?.column ?? 0) > 15, `column ${p?.column} is past the start of the scalar`);
    }
  });
});

test('Flux healthCheckExprs: inProgress, then failed, then current; none → in progress; errors wait', async (t) => {
  const config = `
healthCheckExprs:
  - apiVersion: example.com/v1
    kind: Widget
    inProgress: "status.?phase.orValue('') == 'Building'"
    failed: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')"
    current: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')"
resources:
  - {group: example.com, version: v1, kind: Widget}
`;
  const w = (status: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Widget', status });
  await t.test('current', () => assert.equal(snapshotOf(config, w({ conditions: [{ type: 'Ready', status: 'True' }] })).health, 'current'));
  await t.test('failed', () => assert.equal(snapshotOf(config, w({ conditions: [{ type: 'Ready', status: 'False' }] })).health, 'failed'));
  await t.test('inProgress first', () => assert.equal(snapshotOf(config, w({ phase: 'Building', conditions: [{ type: 'Ready', status: 'False' }] })).health, 'in_progress'));
  await t.test('none true', () => assert.equal(snapshotOf(config, w({ conditions: [{ type: 'Ready', status: 'Unknown' }] })).health, 'in_progress'));
  await t.test('expression error waits (in progress) and is counted', () => {
    const s = snapshotOf(config, w({ phase: 'X' }));
    assert.equal(s.health, 'in_progress');
    assert.equal(s.errors.length, 1);
    assert.match(s.errors[0]?.path ?? '', /^health: healthCheckExprs example\.com\/Widget rule \d$/);
  });
  await t.test('another apiVersion is not matched', () => {
    const s = snapshotOf(config.replace('version: v1, kind: Widget', 'version: v2, kind: Widget'), { ...w({ conditions: [{ type: 'Ready', status: 'False' }] }), apiVersion: 'example.com/v2' });
    assert.equal(s.health, 'degraded', 'generic rules');
  });
});

test('healthCheckExprs from a file: a list or a Kustomization, relative to the config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crotel-health-'));
  try {
    writeFileSync(join(dir, 'ks.yaml'), `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  healthCheckExprs:
    - apiVersion: example.com/v1
      kind: Widget
      current: status.ready == true
`);
    writeFileSync(join(dir, 'crotel.yaml'), 'healthCheckExprs: ks.yaml\nresources:\n  - {group: example.com, version: v1, kind: Widget}\n');
    const config = loadConfigFile(join(dir, 'crotel.yaml'));
    assert.deepEqual(config.healthChecks, [{ apiVersion: 'example.com/v1', kind: 'Widget', current: 'status.ready == true' }]);
    const [r] = compileConfig(config);
    const s = r?.extract({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { uid: 'u', name: 'w' }, status: { ready: true } });
    assert.ok(s && !('invalid' in s));
    assert.equal(s.health, 'current');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('healthCheckExprs file problems name file:line:col', () => {
  const text = '- apiVersion: example.com/v1\n  kind: Widget\n  current: status.ready ==\n- kind: Gadget\n  current: "true"\n';
  assert.throws(() => parseHealthCheckExprsText(text, 'checks.yaml'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /checks\.yaml:3:\d+: \[0\]\.current: expected a valid CEL boolean expression, got CEL syntax error/);
    assert.match(e.message, /checks\.yaml:4:\d+: \[1\]\.apiVersion: expected/);
    return true;
  });
});

test('crotel render --explain prints the state and the rule per object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crotel-explain-'));
  try {
    writeFileSync(join(dir, 'crotel.yaml'), 'resources:\n  - {group: cert-manager.io, version: v1, kind: Certificate}\n  - {group: example.org, version: v1, kind: Thing}\n');
    writeFileSync(join(dir, 'objects.yaml'), `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: shop, uid: u1}
spec: {}
status:
  conditions:
    - {type: Ready, status: "False", reason: DoesNotExist}
---
apiVersion: example.org/v1
kind: Thing
metadata: {name: t, namespace: shop, uid: u2}
status:
  conditions:
    - {type: Degraded, status: "True", reason: DiskFull}
`);
    const r = spawnSync(process.execPath, [join(root, 'bin/crotel.js'), 'render', '--explain', '--config', join(dir, 'crotel.yaml'), '-f', join(dir, 'objects.yaml')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, [
      'cert-manager.io/v1/Certificate shop/web: degraded: cert-manager.io/Certificate rule 2: Ready=False (DoesNotExist)',
      'example.org/v1/Thing shop/t: degraded: generic: Degraded=True (DiskFull)',
      '',
    ].join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
