// Zero config, pure parts: globs, exclusions (the defaults included), the version a kind is
// watched at, reading CRDs, and the wanted kinds of a set of CRDs under a selection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText, ZERO_CONFIG_TEXT } from '../../src/config/index.ts';
import { readCrd, wantedKinds, type CrdKind } from '../../src/discovery/crds.ts';
import { exclusionsOf } from '../../src/discovery/kinds.ts';
import {
  compareKubeVersions, DEFAULT_EXCLUSIONS, excludedBy, globMatches, isCustomGroup, preferredVersion, selectionFor,
} from '../../src/discovery/selection.ts';

test('globMatches', async (t) => {
  const cases: [string, string, string, boolean][] = [
    ['star matches every group', '*', 'postgresql.cnpg.io', true],
    ['star matches the empty core group', '*', '', true],
    ['suffix glob', '*.crossplane.io', 'pkg.crossplane.io', true],
    ['suffix glob spans dots', '*.crossplane.io', 'a.b.crossplane.io', true],
    ['suffix glob needs the dot', '*.crossplane.io', 'crossplane.io', false],
    ['dots are literal', 'a.b', 'axb', false],
    ['exact name', 'kyverno.io', 'kyverno.io', true],
    ['exact name differs', 'kyverno.io', 'reports.kyverno.io', false],
    ['question mark is one character', 'v?', 'v1', true],
    ['question mark is exactly one', 'v?', 'v10', false],
    ['kind suffix glob', '*Report', 'VulnerabilityReport', true],
    ['kind glob is case-sensitive', '*Report', 'Reporter', false],
    ['regex characters are literal', 'a+b', 'aab', false],
  ];
  for (const [name, pattern, text, want] of cases) {
    await t.test(name, () => assert.equal(globMatches(pattern, text), want));
  }
});

test('default exclusions: report-style kinds out, reconciled kinds in', async (t) => {
  const cases: [string, string, boolean][] = [
    ['wgpolicyk8s.io', 'PolicyReport', true],
    ['wgpolicyk8s.io', 'ClusterPolicyReport', true],
    ['aquasecurity.github.io', 'VulnerabilityReport', true],
    ['aquasecurity.github.io', 'ConfigAuditReport', true],
    ['aquasecurity.github.io', 'ExposedSecretReport', true],
    ['reports.kyverno.io', 'EphemeralReport', true],
    ['kyverno.io', 'ClusterBackgroundScanReport', true],
    ['kyverno.io', 'UpdateRequest', true],
    ['custom.metrics.k8s.io', 'Anything', true],
    ['cilium.io', 'CiliumEndpoint', true],
    ['kyverno.io', 'ClusterPolicy', false],
    ['cilium.io', 'CiliumNetworkPolicy', false],
    ['postgresql.cnpg.io', 'Cluster', false],
    ['source.toolkit.fluxcd.io', 'GitRepository', false],
    ['argoproj.io', 'Workflow', false],
  ];
  for (const [group, kind, excluded] of cases) {
    await t.test(`${group} ${kind}`, () => assert.equal(excludedBy(DEFAULT_EXCLUSIONS, group, kind) !== undefined, excluded));
  }
});

test('exclusionsOf: defaults plus the user list; defaultExclusions: false keeps only the user list', () => {
  const withDefaults = parseConfigText('resources: [{group: "*"}]\ndiscovery: {exclude: [{group: example.com, kind: Noisy}]}\n', 'x.yaml').discovery!;
  assert.equal(exclusionsOf(withDefaults).length, DEFAULT_EXCLUSIONS.length + 1);
  assert.ok(excludedBy(exclusionsOf(withDefaults), 'example.com', 'Noisy'));
  assert.ok(!excludedBy(exclusionsOf(withDefaults), 'example.com', 'Quiet'));
  const without = parseConfigText('resources: [{group: "*"}]\ndiscovery: {defaultExclusions: false, exclude: [{group: example.com}]}\n', 'x.yaml').discovery!;
  assert.deepEqual(exclusionsOf(without), [{ group: 'example.com', kind: '*' }]);
  assert.ok(!excludedBy(exclusionsOf(without), 'wgpolicyk8s.io', 'PolicyReport'));
});

test('version priority: GA, then beta, then alpha, higher first; others last', async (t) => {
  const cases: [string, string[], string][] = [
    ['GA beats beta', ['v1beta1', 'v1'], 'v1'],
    ['higher GA', ['v1', 'v2'], 'v2'],
    ['GA beats a higher beta', ['v2beta1', 'v1'], 'v1'],
    ['beta beats alpha', ['v1alpha1', 'v1beta1'], 'v1beta1'],
    ['higher beta number', ['v1beta1', 'v1beta2'], 'v1beta2'],
    ['higher major beta', ['v1beta2', 'v2beta1'], 'v2beta1'],
    ['non-Kubernetes names last', ['foo', 'v1alpha1'], 'v1alpha1'],
    ['only odd names: alphabetical', ['zeta', 'alpha'], 'alpha'],
    ['one version', ['v3'], 'v3'],
  ];
  for (const [name, served, want] of cases) await t.test(name, () => assert.equal(preferredVersion(served), want));
  await t.test('nothing served', () => assert.equal(preferredVersion([]), undefined));
  await t.test('antisymmetric', () => assert.ok(compareKubeVersions('v1', 'v1beta1') < 0 && compareKubeVersions('v1beta1', 'v1') > 0));
});

test('isCustomGroup: dotted, not built in', async (t) => {
  const cases: [string, boolean][] = [['', false], ['apps', false], ['batch', false], ['networking.k8s.io', false], ['rbac.authorization.k8s.io', false],
    ['gateway.networking.k8s.io', true], ['snapshot.storage.k8s.io', true], ['postgresql.cnpg.io', true]];
  for (const [group, want] of cases) await t.test(group || '(core)', () => assert.equal(isCustomGroup(group), want));
});

function crd(group: string, kind: string, versions: { name: string; served: boolean; storage?: boolean }[], established = true, scope = 'Namespaced'): unknown {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: { group, scope, names: { kind, plural }, versions: versions.map((v) => ({ storage: false, ...v })) },
    status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False' }] },
  };
}

test('readCrd reads names, scope, served and storage versions, Established; skips malformed', () => {
  const c = readCrd(crd('example.com', 'Gadget', [{ name: 'v1', served: true, storage: true }, { name: 'v2', served: false }], true, 'Cluster'));
  assert.deepEqual(c, { name: 'gadgets.example.com', group: 'example.com', kind: 'Gadget', plural: 'gadgets', namespaced: false, servedVersions: ['v1'], storageVersion: 'v1', established: true });
  for (const bad of [null, 'x', {}, { metadata: { name: 'x' }, spec: { group: 'g' } }, { metadata: { name: 'x' }, spec: { group: 'g', names: { kind: 'K', plural: 'ks' }, versions: 'v1' } }]) {
    assert.equal(readCrd(bad), undefined, JSON.stringify(bad));
  }
});

test('wantedKinds: selection, exclusions, configured kinds, Established, version choice', () => {
  const crds = [
    crd('example.com', 'Gadget', [{ name: 'v1', served: true, storage: true }, { name: 'v2', served: true }]),
    crd('example.com', 'Gizmo', [{ name: 'v1alpha1', served: true, storage: true }]),
    crd('example.com', 'Unserved', [{ name: 'v1', served: false, storage: true }]),
    crd('example.com', 'Pending', [{ name: 'v1', served: true, storage: true }], false),
    crd('pkg.crossplane.io', 'Provider', [{ name: 'v1', served: true, storage: true }]),
    crd('wgpolicyk8s.io', 'PolicyReport', [{ name: 'v1alpha2', served: true, storage: true }]),
    crd('stable.example.com', 'DatabaseInstance', [{ name: 'v1', served: true, storage: true }]),
  ].map((c) => readCrd(c)!) as CrdKind[];
  const all = parseConfigText(ZERO_CONFIG_TEXT, 'zero').discovery!;
  const configured = new Set(['stable.example.com/DatabaseInstance']);
  const wanted = wantedKinds(crds, { selections: all.select, exclude: exclusionsOf(all), configured });
  assert.deepEqual([...wanted.values()].map((w) => `${w.group}/${w.version}/${w.kind}`).sort(),
    ['example.com/v1alpha1/Gizmo', 'example.com/v2/Gadget', 'pkg.crossplane.io/v1/Provider']);

  const crossplane = parseConfigText('resources: [{group: "*.crossplane.io"}]\n', 'x').discovery!;
  assert.deepEqual([...wantedKinds(crds, { selections: crossplane.select, exclude: exclusionsOf(crossplane) }).keys()], ['pkg.crossplane.io/Provider']);

  const pinned = parseConfigText('resources: [{group: example.com, version: v1}]\n', 'x').discovery!;
  assert.deepEqual([...wantedKinds(crds, { selections: pinned.select, exclude: [] }).values()].map((w) => `${w.kind}@${w.version}`), ['Gadget@v1']);

  const byKind = parseConfigText('resources: [{group: "*", kind: "G*"}]\n', 'x').discovery!;
  assert.deepEqual([...wantedKinds(crds, { selections: byKind.select, exclude: [] }).values()].map((w) => w.kind).sort(), ['Gadget', 'Gizmo']);
});

test('selectionFor: the first matching entry wins', () => {
  const d = parseConfigText('resources:\n  - {group: example.com, namespaces: [a]}\n  - {group: "*"}\n', 'x').discovery!;
  assert.deepEqual(selectionFor(d.select, 'example.com', 'Gadget', ['v1'])?.namespaces, ['a']);
  assert.deepEqual(selectionFor(d.select, 'other.io', 'Thing', ['v1'])?.namespaces, []);
});

test('config: wildcard entries and their errors', async (t) => {
  const ok = (name: string, text: string, check: (c: ReturnType<typeof parseConfigText>) => void): Promise<void> =>
    t.test(name, () => check(parseConfigText(text, 'x.yaml')));
  const bad = (name: string, text: string, message: RegExp): Promise<void> =>
    t.test(name, () => assert.throws(() => parseConfigText(text, 'x.yaml'), message));
  await ok('group "*" alone', 'resources: [{group: "*"}]\n', (c) => {
    assert.equal(c.resources.length, 0);
    assert.deepEqual(c.discovery?.select.map((s) => [s.group, s.kind]), [['*', '*']]);
    assert.equal(c.limits.objectsPerKind, 100_000);
  });
  await ok('an exact group without kind is a wildcard entry', 'resources: [{group: monitoring.coreos.com}]\n', (c) => assert.equal(c.discovery?.select[0]?.group, 'monitoring.coreos.com'));
  await ok('concrete and wildcard entries together', 'resources:\n  - {group: a.io, version: v1, kind: A}\n  - {group: "*"}\n', (c) => {
    assert.equal(c.resources.length, 1);
    assert.equal(c.discovery?.select.length, 1);
  });
  await ok('version "*" means preferred', 'resources: [{group: "*", version: "*"}]\n', (c) => assert.equal(c.discovery?.select[0]?.version, undefined));
  await ok('object limits', 'limits: {objects: 10, objectsPerKind: 3}\nresources: [{group: "*"}]\n', (c) => assert.deepEqual([c.limits.objects, c.limits.objectsPerKind], [10, 3]));
  await bad('metrics in a wildcard entry', 'resources:\n  - group: "*"\n    metrics: [{name: x, gauge: {path: spec.a}}]\n', /x\.yaml:3:\d+: resources\[0\]\.metrics: expected no metrics in a wildcard entry/);
  await bad('a concrete kind still needs its version', 'resources: [{group: a.io, kind: A}]\n', /resources\[0\]\.version: expected a string: an API version/);
  await bad('a version glob', 'resources: [{group: "*", version: "v1*"}]\n', /resources\[0\]\.version: expected one version/);
  await bad('an exclusion without group', 'resources: [{group: "*"}]\ndiscovery: {exclude: [{kind: A}]}\n', /discovery\.exclude\[0\]\.group/);
  await bad('an unknown discovery key', 'resources: [{group: "*"}]\ndiscovery: {excludes: []}\n', /discovery\.excludes: expected one of the keys defaultExclusions, exclude/);
  await bad('a zero object limit', 'limits: {objectsPerKind: 0}\nresources: [{group: "*"}]\n', /limits\.objectsPerKind/);
});
