import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_RULES, healthOf, objectHealth, type HealthFacts } from '../../src/extract/index.ts';
import type { Health } from '../../src/model.ts';
import { fixtureObjects } from './extract-fixtures.ts';

const phases = { successPhases: ['Running'], failurePhases: ['Failed'] };
const base: HealthFacts = { deleting: false, conditions: [] };
const cond = (type: string, status: string) => ({ type, status });

test('rules apply in kstatus order, first opinion wins', () => {
  const cases: [string, HealthFacts, Health][] = [
    ['nothing known', base, 'current'],
    ['deleting beats everything', { ...base, deleting: true, generation: 2, observedGeneration: 1, conditions: [cond('Stalled', 'True')] }, 'terminating'],
    ['generation ahead', { ...base, generation: 3, observedGeneration: 2, conditions: [cond('Ready', 'True')] }, 'in_progress'],
    ['generation caught up', { ...base, generation: 3, observedGeneration: 3, conditions: [cond('Ready', 'True')] }, 'current'],
    ['observedGeneration -1 = never observed', { ...base, observedGeneration: -1, conditions: [cond('Ready', 'True')] }, 'in_progress'],
    ['observedGeneration without generation', { ...base, observedGeneration: 4 }, 'current'],
    ['Reconciling=True', { ...base, conditions: [cond('Ready', 'True'), cond('Reconciling', 'True')] }, 'in_progress'],
    ['Reconciling=False ignored', { ...base, conditions: [cond('Reconciling', 'False')] }, 'current'],
    ['Reconciling before Stalled', { ...base, conditions: [cond('Stalled', 'True'), cond('Reconciling', 'True')] }, 'in_progress'],
    ['Stalled=True', { ...base, conditions: [cond('Stalled', 'True'), cond('Ready', 'True')] }, 'failed'],
    ['failure phase', { ...base, phase: 'Failed', conditions: [cond('Ready', 'True')] }, 'failed'],
    ['success phase beats Ready=False', { ...base, phase: 'Running', conditions: [cond('Ready', 'False')] }, 'current'],
    ['other phase is in progress', { ...base, phase: 'Provisioning', conditions: [cond('Ready', 'True')] }, 'in_progress'],
    ['Ready=True', { ...base, conditions: [cond('Ready', 'True')] }, 'current'],
    ['Ready=False', { ...base, conditions: [cond('Ready', 'False')] }, 'in_progress'],
    ['Ready=Unknown', { ...base, conditions: [cond('Ready', 'Unknown')] }, 'in_progress'],
    ['Ready=Degraded has no opinion', { ...base, conditions: [cond('Ready', 'Degraded')] }, 'current'],
    ['Available=Degraded is not a kstatus condition', { ...base, conditions: [cond('Available', 'Degraded')] }, 'current'],
  ];
  // Phase config only where the case has a phase: the rest is plain kstatus.
  for (const [name, facts, expected] of cases) assert.equal(healthOf(facts, facts.phase !== undefined ? phases : undefined), expected, name);
  assert.deepEqual(HEALTH_RULES.map((r) => r.name), ['deletion', 'generation', 'reconciling', 'stalled', 'failurePhase', 'successPhase', 'awaitingSuccessPhase', 'ready']);
});

test('with success phases configured, an object not (yet) in one is in progress', () => {
  assert.equal(healthOf(base, phases), 'in_progress', 'no status yet');
  assert.equal(healthOf({ ...base, phase: 'Pending' }, phases), 'in_progress', 'Pending, no conditions');
  assert.equal(healthOf({ ...base, phase: 'Provisioning', conditions: [cond('Ready', 'True')] }, phases), 'in_progress', 'the phase decides, not a stale Ready=True');
  assert.equal(healthOf({ ...base, phase: 'Pending' }), 'current', 'without phase config, plain kstatus');
});

test('phases only count when configured', () => {
  assert.equal(healthOf({ ...base, phase: 'Failed' }), 'current');
});

test('health of every fixture object', () => {
  const expected: Record<string, Health> = {
    'cloudnative-pg/cluster-failing-over.yaml': 'in_progress', // Ready=False
    'cloudnative-pg/cluster-healthy.yaml': 'current',
    'cloudnative-pg/cluster-hibernated.yaml': 'current', // Ready=True; hibernation is a separate condition
    'cloudnative-pg/cluster-setting-up-primary.yaml': 'in_progress',
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#0': 'in_progress', // Ready=False
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#1': 'current',
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#2': 'in_progress', // Ready=Unknown
    'flux-gitrepository/gitrepository-fetchfailed-retrying.yaml': 'in_progress', // Reconciling=True
    'flux-gitrepository/gitrepository-ready.yaml': 'current',
    'flux-kustomization/kustomization-failed-retrying.yaml': 'in_progress', // generation 3 vs observed 2
    'flux-kustomization/kustomization-progressing.yaml': 'in_progress',
    'flux-kustomization/kustomization-ready.yaml': 'current',
    'flux-kustomization/kustomization-source-not-found.yaml': 'in_progress', // observedGeneration -1
    'prometheus-operator/prometheus-available-sharded.yaml': 'current',
    // No Ready/Reconciling/Stalled: generic rules have no opinion on Available=Degraded/False.
    'prometheus-operator/prometheus-degraded-scheduling.yaml': 'current',
    'prometheus-operator/prometheus-unavailable-kube-prom-stack.yaml': 'current',
  };
  const objects = fixtureObjects();
  assert.deepEqual(objects.map((o) => o.id).sort(), Object.keys(expected).sort(), 'every fixture has an expectation');
  for (const { id, object } of objects) assert.equal(objectHealth(object), expected[id], id);
});

test('deletionTimestamp and phase overrides on a fixture', () => {
  const [healthy] = fixtureObjects().filter((o) => o.id === 'cloudnative-pg/cluster-healthy.yaml');
  assert.ok(healthy);
  const o = healthy.object as { metadata: Record<string, unknown>; status: Record<string, unknown> };
  assert.equal(objectHealth({ ...o, metadata: { ...o.metadata, deletionTimestamp: '2025-04-26T00:00:00Z' } }), 'terminating');
  assert.equal(objectHealth(o, { successPhases: [], failurePhases: ['Cluster in healthy state'] }), 'failed');
});

test('odd shapes do not crash', () => {
  const odd: unknown[] = [
    { metadata: { generation: '3' }, status: { observedGeneration: '3' } },
    { status: { conditions: { Ready: { status: 'False' } } } },
    { status: { conditions: { Ready: 'True' } } },
    { status: { conditions: 'nope' } },
    { status: { conditions: [null, 1, { type: 5 }, { type: 'Ready' }, { type: 'Ready', status: true }] } },
    { status: 'weird' },
    { metadata: null },
  ];
  const got = odd.map((o) => objectHealth(o));
  assert.deepEqual(got, ['current', 'in_progress', 'current', 'current', 'current', 'current', 'current']);
  assert.equal(objectHealth(null), undefined);
  assert.equal(objectHealth([]), undefined);
});
